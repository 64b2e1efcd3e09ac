//! Authentication exchanges: SASL SCRAM-SHA-256(-PLUS), md5 and cleartext passwords.
