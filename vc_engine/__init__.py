"""vc-engine: sign government documents as signed XML and W3C Verifiable Credentials, and tell a
department, with reasons, whether what it was shown is equivalent to the original."""
