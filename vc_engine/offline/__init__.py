"""The auditor's room: the signed offline trust bundle (export, open, snapshot) and the audit of
a whole archive against it, with no registry and no network."""
