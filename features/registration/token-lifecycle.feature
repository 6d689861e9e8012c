@X.2.1.3 @registration @web-authentication @TS24.371-6.1 @RFC8898
Feature: the WWSF's token after the first registration (TS 24.371 §7.2.1, A.3.2; issue 9 §1, §2)
  A token-registered WIC refreshes and ends its registration with a token, repeats the token on its other requests
  (TS 24.371 §7.2.1: "The WIC using Gm shall include the Authorization header field with the Bearer scheme
  containing the valid access token in all SIP requests"), and may try to ride on the WebSocket its token once
  authenticated. The eP-CSCF judges every REGISTER on the token it carries; the token never reaches the IMS core.

  Background:
    Given Alice has logged in at the WWSF and holds its token
    And Alice's WIC is connected to the eP-CSCF from the authorized WWSF origin

  Rule: a refresh and a de-registration with a valid token go on as TNA (catalogue R42, TS 33.203 U.2 step 4)

    @R42 @R34 @R35 @TS33.203-U @security
    Scenario: a refresh with a new token from the WWSF reaches the S-CSCF as auth-done, without either token
      Given Alice is registered with her token
      When Alice logs in at the WWSF again and refreshes her registration with the new token
      Then Alice's registration succeeds
      And the refresh at the S-CSCF says auth-done for Alice's IMPI in exactly one Digest Authorization
      And neither of Alice's tokens reaches the S-CSCF

    @R42 @R34 @TS33.203-U
    Scenario: a de-registration with the token removes the binding
      Given Alice is registered with her token
      When Alice de-registers with her token
      Then Alice's de-registration succeeds
      And the de-registration at the S-CSCF says auth-done for Alice's IMPI in exactly one Digest Authorization

  Rule: a WebSocket once registered by token lends its trust to no other REGISTER (issue 9 §1)

    @R42 @R32 @R39 @TS33.203-U @security
    Scenario: a refresh with an expired token on a token-registered WebSocket is refused and nothing reaches the S-CSCF
      Given Alice is registered with her token
      When Alice refreshes her registration with a token that has expired
      Then the eP-CSCF refuses Alice's refresh with a 4xx and nothing of it reaches the S-CSCF

    @R36 @R39 @TS33.203-U @security
    Scenario: a REGISTER for Bob's identity with Alice's token on her token-registered WebSocket is refused
      Given Alice is registered with her token
      When Alice registers Bob's public identity on her WebSocket with her token
      Then the eP-CSCF refuses Alice's REGISTER for Bob with a 4xx and nothing of it reaches the S-CSCF

  Rule: the token the WIC repeats on its other requests never reaches the IMS core (TS 24.371 §7.2.1, R41, R35)

    @R41 @R35 @TS24.371-7.2.1 @TS33.203-U @security
    Scenario Outline: Alice's <method> carrying her Bearer token reaches the S-CSCF without it
      Given Alice is registered with her token
      When Alice sends a <method> to Bob carrying her Bearer token
      Then the <method> reached the S-CSCF without Alice's token

      Examples:
        | method  |
        | MESSAGE |
        | OPTIONS |
        | INVITE  |

  Rule: a token is no key to the WIC-facing edge (RFC 8725 §3, RFC 6455 §10.4)

    @R32 @R73 @RFC8725 @security
    Scenario: an oversized token (64 KiB) is refused or its WebSocket closed, nothing reaches the S-CSCF, and the edge survives
      When Alice registers with an oversized token, 64 KiB and altered after signing
      Then the eP-CSCF refuses the oversized token with a 4xx or closes Alice's WebSocket
      And nothing of the bad token registration reached the S-CSCF
      And a fresh WIC of Alice still registers with her token

    @R32 @RFC7519-4.1.7 @security
    Scenario: a token replayed from another WebSocket after its owner de-registered is refused when the profile says so
      The use of jti is OPTIONAL (RFC 7519 §4.1.7): bearer tokens are replayable until they expire unless the
      profile says epcscf.token.jtiReplay: refuse; otherwise N/A.
      Given the profile refuses a replayed token
      And Alice is registered with her token
      And Alice has de-registered with her token
      When another WebSocket registers Alice with her token again
      Then the replayed token is refused by the eP-CSCF
      And nothing of the replayed token's registration reached the S-CSCF
