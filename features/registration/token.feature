@X.2.1.3 @registration @web-authentication @TS24.371-6.1 @RFC8898
Feature: WIC registration based on web authentication (TR 23.701 X.2.1.3)
  The user logs in at the WWSF, which issues a security token (a JWT) with the user's IMS identities as claims.
  The WIC registers at the eP-CSCF with the token as Bearer credentials. The eP-CSCF validates the token and the
  identities it binds, and registers the user at IMS with Trusted Node Authentication: the REGISTER it forwards
  says that authentication has already been performed (integrity-protected="auth-done") and carries no token.

  Background:
    Given Alice has logged in at the WWSF and holds its token
    And Alice's WIC is connected to the eP-CSCF from the authorized WWSF origin

  Rule: a valid token registers the user through TNA (TS 33.203 Annex U, TS 24.371 §6.1 b))

    @R31 @R34 @R35 @TS33.203-U @security
    Scenario: a valid token registers at IMS as auth-done, without a digest challenge and without the token
      When Alice registers with her token
      Then the S-CSCF registered Alice without a digest challenge
      And the REGISTER at the S-CSCF says auth-done for Alice's IMPI in exactly one Digest Authorization
      And Alice's token never reaches the S-CSCF

    @R31 @R20 @TS24.229-5.2.2.1
    Scenario: the 200 OK of a token registration reaches the WIC
      When Alice registers with her token
      Then Alice's registration succeeds
      And the S-CSCF holds a binding for Alice

    @R31 @R34 @RFC7235-2.1
    Scenario: the scheme name "bearer" in lower case carries the token all the same
      Auth-scheme names are case-insensitive (RFC 7235 §2.1, recalled: "It uses a case-insensitive token as a means
      to identify the authentication scheme").
      When Alice registers with her token under the scheme name "bearer"
      Then the S-CSCF registered Alice without a digest challenge
      And the REGISTER at the S-CSCF says auth-done for Alice's IMPI in exactly one Digest Authorization

    @R34 @R39 @TS33.203-U @security
    Scenario: the WIC's own integrity-protected value never reaches the S-CSCF with a token registration
      When Alice registers with her token claiming integrity-protected "yes"
      Then either the eP-CSCF refuses Alice's REGISTER with a 4xx and nothing reaches the S-CSCF, or the REGISTER at the S-CSCF says auth-done for her IMPI in exactly one Digest Authorization

    @R34 @R36 @R39 @TS33.203-U @security
    Scenario: a Digest Authorization for Bob claiming auth-done beside Alice's token never reaches the S-CSCF
      When Alice registers with her token beside a Digest Authorization for Bob claiming integrity-protected "auth-done"
      Then either the eP-CSCF refuses Alice's REGISTER with a 4xx and nothing reaches the S-CSCF, or the REGISTER at the S-CSCF says auth-done for her IMPI in exactly one Digest Authorization

    @R39 @TS33.203-U @security
    Scenario: a refresh without the token on a token-registered WebSocket is not passed on as auth-done
      No text forbids an eP-CSCF to rest TNA on the WSS connection the token authenticated (catalogue [I]): a
      profile that says so (epcscf.token.refreshWithoutToken: connection-bound) gets N/A here.
      Given Alice is registered with her token
      When Alice refreshes her registration without her token
      Then the S-CSCF never sees auth-done for Alice's refresh and registers her again only after a digest challenge, unless the eP-CSCF refused it

  Rule: a token that does not validate is refused at the eP-CSCF and nothing reaches the IMS core (RFC 8725 §3)
    Refused means a 4xx (MUST); 400, 401 or 403 and, on a 401, error="invalid_token" are SHOULDs (RFC 6750 §3, §3.1).

    @R32 @R33 @RFC8725 @RFC6750-3.1 @security
    Scenario Outline: a token <defect> is refused and nothing reaches the S-CSCF
      When Alice registers with a token <defect>
      Then Alice's registration is refused by the eP-CSCF
      And nothing of the bad token registration reached the S-CSCF

      Examples:
        | defect                                            |
        | that has expired                                  |
        | that is not valid yet                             |
        | issued for another audience                       |
        | from another issuer                               |
        | that is unsigned (alg none)                       |
        | signed by a key the WWSF does not publish         |
        | whose payload was altered after signing           |
        | signed HS256 with the WWSF's public key as secret |
        | signed by the key its own jwk header embeds       |
        | without exp                                       |
        | whose aud array holds only another audience       |
        | typed secevent+jwt instead of at+jwt              |
        | whose signature is not base64url                  |
        | without aud                                       |

    @R32 @RFC8725 @RFC7515-4.1.2 @RFC7515-4.1.5 @security
    Scenario Outline: a token whose <header> header points at a key server of the attacker is refused, and that server is never fetched
      The decoy is an HTTPS server of the harness apart from the WWSF, with the attacker's key behind the URL; it
      counts every request. Fetching it is server-side request forgery (RFC 8725 §3.10: a SHOULD, so a WARN);
      honouring its key is a FAIL.
      When Alice registers with an attacker's token whose <header> header names the attacker's key server
      Then Alice's registration is refused by the eP-CSCF
      And nothing of the bad token registration reached the S-CSCF
      And the eP-CSCF never fetched the attacker's key server

      Examples:
        | header |
        | jku    |
        | x5u    |

  Rule: the token binds the identities that may register (TS 24.371 A.3.2 step 1)

    @R36 @security
    Scenario: Alice's token cannot register Bob's public identity
      Given Bob's WIC is connected to the eP-CSCF from the authorized WWSF origin
      When Bob registers with Alice's token
      Then the eP-CSCF refuses to register Bob with Alice's token
      And nothing of Bob's registration reached the S-CSCF

    @R36 @security
    Scenario: a token for Alice's IMPI that binds only Bob's public identities cannot register Alice
      When Alice registers holding a token for her IMPI that binds only Bob's public identities
      Then the eP-CSCF refuses to register Alice with a token that does not bind her public identity
      And nothing of Alice's registration reached the S-CSCF
