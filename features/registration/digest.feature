@X.2.1.2 @registration @RFC3261-10
Feature: WIC registration of an individual IMPU with IMS digest (TR 23.701 X.2.1.2)
  The WIC opens a secure WebSocket to the eP-CSCF and registers one IMPU. The eP-CSCF proxies the REGISTER to the
  I/S-CSCF, which authenticates the user with IMS digest against the HSS. The eP-CSCF relays the challenge and the
  answer and never authenticates digest credentials itself.

  Background:
    Given Alice's WIC is connected to the eP-CSCF from the authorized WWSF origin

  Rule: digest runs end to end between the WIC and the S-CSCF (TS 33.203 X.2.2.3 and Annex N, RFC 7616, RFC 8760)

    @digest @TS33.203-N @RFC2617 @R24 @R20 @R58
    Scenario: registration answering an MD5 challenge
      Given the S-CSCF challenges with MD5
      When Alice registers with IMS digest
      Then Alice's registration succeeds
      And the S-CSCF holds a binding for Alice

    @digest @TS33.203-N @RFC7616 @RFC8760 @R25
    Scenario: registration answering a SHA-256 challenge
      Given the S-CSCF challenges with SHA-256
      When Alice registers with IMS digest
      Then Alice's registration succeeds
      And Alice answered the challenge with SHA-256

    @digest @TS33.203-N @RFC7616-3.7 @RFC8760-2.3 @R25
    Scenario: both algorithms offered, SHA-256 first, and SHA-256 used
      Given the S-CSCF challenges with SHA-256 and MD5
      When Alice registers with IMS digest
      Then the challenge reaches Alice with SHA-256 before MD5
      And Alice answered the challenge with SHA-256
      And Alice's registration succeeds

    @digest @TS33.203-N @R24 @R58 @RFC3261-16.7
    Scenario: the 401 challenge reaches the WIC with the same challenges (scheme and parameters)
      Given the S-CSCF challenges with MD5
      When Alice registers with IMS digest
      Then the challenge reaches Alice unchanged

    @digest @TS33.203-N @R28 @TS24.229-5.4.1.2
    Scenario: a wrong password is relayed as a failure and leaves no binding
      Given the S-CSCF challenges with MD5
      When Alice registers with IMS digest using a wrong password
      Then Alice's registration is refused with 403
      And the S-CSCF holds no binding for Alice

  Rule: the registration can be refreshed and ended (RFC 3261 §10.2.1, §10.2.2, §10.2.4)

    @R46 @RFC3261-10.2.4
    Scenario: re-registration keeps the Call-ID and a Path to the same eP-CSCF (the flow token may be new)
      Given Alice is registered with IMS digest
      When Alice refreshes her registration
      Then Alice's registration succeeds
      And the refresh reached the S-CSCF with the same Call-ID, a higher CSeq and a Path to the same eP-CSCF

    @R43 @RFC3261-10.2.2
    Scenario: de-registration with Expires 0 removes the binding
      Given Alice is registered with IMS digest
      When Alice de-registers
      Then Alice's de-registration succeeds
      And the S-CSCF no longer holds a binding for Alice

  Rule: the eP-CSCF forwards the REGISTER as a P-CSCF does (TS 24.229 §5.2.2, RFC 3261 §16.6)

    @R19 @RFC3261-16.6
    Scenario: the eP-CSCF puts its own Via on top and decrements Max-Forwards
      When Alice registers with IMS digest
      Then the REGISTER forwarded to the S-CSCF has the eP-CSCF's Via on top of Alice's
      And the REGISTER forwarded to the S-CSCF has Max-Forwards one less than Alice sent

    @R15 @R16 @R57 @TS24.229-5.2.2.1 @RFC3327-5.2 @RFC5626-5.3
    Scenario: the eP-CSCF adds a Path back to itself and to the WIC's WebSocket, and requires path support
      When Alice registers with IMS digest
      Then the REGISTER forwarded to the S-CSCF has a Path to the eP-CSCF's Mw address
      And the REGISTER forwarded to the S-CSCF has "Require: path"
      When the S-CSCF sends a MESSAGE to Alice
      Then Alice receives the MESSAGE on her WebSocket and her answer reaches the S-CSCF

    @R18 @RFC7315-4.6
    Scenario: the eP-CSCF adds a P-Charging-Vector with a fresh icid-value
      When Alice registers with IMS digest
      Then every REGISTER forwarded to the S-CSCF has a P-Charging-Vector with its own icid-value

    @R19 @RFC5626-4.2 @TS24.229-5.4.1.2.2
    Scenario: the WIC's +sip.instance and reg-id reach the S-CSCF unchanged (the Contact URI may be rewritten)
      When Alice registers with IMS digest
      Then the REGISTER forwarded to the S-CSCF keeps Alice's +sip.instance and reg-id

    @R21 @TS24.229-5.2.2.1 @RFC7315-4.6
    Scenario: network-internal charging headers do not reach the WIC
      When Alice registers with IMS digest
      Then the 200 OK relayed to Alice carries no P-Charging-Vector or P-Charging-Function-Addresses

  Rule: a digest REGISTER never claims another authentication scheme on Mw (TS 33.203 P.4, TS 24.229 §7.2A.2)

    @digest @R26 @TS33.203-P.4 @TS24.229-7.2A.2
    Scenario: a digest REGISTER carries no AKA or TNA integrity-protected value
      When Alice registers with IMS digest
      Then no REGISTER forwarded to the S-CSCF carries integrity-protected "yes", "no", "tls-connected" or "auth-done"
      And every REGISTER forwarded to the S-CSCF carries an integrity-protected value the profile allows for digest

    @digest @R39 @TS33.203-U @TS33.203-P.4 @security
    Scenario Outline: a WIC cannot choose the integrity-protected value the eP-CSCF forwards: <value> (it may be refused instead)
      When Alice registers with IMS digest claiming integrity-protected "<value>"
      Then the S-CSCF never sees Alice's integrity-protected "<value>" and registers her only after a digest challenge, unless the eP-CSCF refused the REGISTER

      Examples:
        | value         |
        | auth-done     |
        | AUTH-DONE     |
        | yes           |
        | tls-connected |

    @digest @R39 @TS33.203-U @TS33.203-P.4 @security
    Scenario Outline: a WIC cannot slip auth-done past the eP-CSCF <trick> (it may be refused instead)
      The flag in another spelling or another header field is the same claim: the S-CSCF may read any of them
      (TS 33.203 U.1: it "looks for an indication in the 'integrity-protected' flag"; catalogue R39).
      When Alice registers with IMS digest and auth-done <trick>
      Then the S-CSCF never sees Alice's integrity-protected "auth-done" and registers her only after a digest challenge, unless the eP-CSCF refused the REGISTER

      Examples:
        | trick                                              |
        | unquoted                                           |
        | in a second Authorization header for another realm |
        | in Proxy-Authorization                             |
