@X.2.1.3 @registration @web-authentication @TS24.371-6.1
Feature: the WWSF rotates its signing key (issue 9 §2)
  A key the WWSF adds to its JWKS is honoured; a key it removed no longer is. No 3GPP text says how an eP-CSCF
  learns the WWSF's keys; the common practice is that of OpenID Connect Core 1.0 §10.1.1 (recalled): "Keys can be
  rolled over by periodically adding new keys to the JWK Set at the jwks_uri location. [...] The verifier knows to go
  back to the jwks_uri location to re-retrieve the keys when it sees an unfamiliar kid value." The harness serves the
  new JWKS at the WWSF's URL and rewrites the key files ({{wwsf.jwks}}, {{wwsf.publicKeyPem}}), and puts both back
  after the scenario. Profiles whose eP-CSCF is provisioned once (epcscf.token.keyRotation: static) get N/A.

  Background:
    Given the profile says the eP-CSCF follows the WWSF's key rotation
    And Alice has logged in at the WWSF and holds its token
    And Alice's WIC is connected to the eP-CSCF from the authorized WWSF origin

  @R31 @R34 @RFC8725 @security
  Scenario: a token signed by a key the WWSF newly published beside the old one is honoured
    Given the WWSF has published a new signing key beside its old one and signs with the new one
    When Alice logs in at the WWSF again and registers with the token of the new key
    Then the token of the WWSF's new key registered Alice
    And the REGISTER at the S-CSCF says auth-done for Alice's IMPI in exactly one Digest Authorization

  @R32 @RFC8725 @security
  Scenario: a token signed by a key the WWSF removed from its JWKS is refused
    Given the WWSF has replaced its signing key by a new one
    And Alice is registered with a token of the WWSF's new key
    When Alice refreshes her registration with her token of the removed key
    Then the eP-CSCF refuses Alice's refresh with the removed key with a 4xx and nothing of it reaches the S-CSCF
