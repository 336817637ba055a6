"""The e-locker's issuer Pull API (DigiLocker Issuer API Specification v1.12): the messages
(`messages`), answering them (`pull`), and the routes (`api.routes.digilocker`)."""
