@X.2.2 @origination @termination @TS24.229-5.2.6.3
Feature: Origination and termination through the eP-CSCF (TR 23.701 X.2.2)
  "Origination and termination flows for WebRTC IMS clients follow standard IMS procedures with the exception that
  routing of all messages between the WIC and S-CSCF traverse the eP-CSCF." A standalone MESSAGE stands for any
  request here (TS 24.229 §5.2.6.3.7 in Rel-18 numbering); sessions with WebRTC SDP build on the same routing. The
  WIC preloads its Service-Route as a UE must (RFC 3608 §6.1, TS 24.229 §5.1.2A.1.1), so an eP-CSCF that enforces
  the Service-Route (400 for a request that does not follow it) is served like one that replaces the route.

  Background:
    Given Alice's WIC is connected to the eP-CSCF from the authorized WWSF origin

  Rule: originating requests are routed to the S-CSCF with an asserted identity (TS 24.229 §5.2.6.3)

    @R56
    Scenario: an originating request follows the Service-Route stored at registration
      Given Alice is registered with IMS digest
      When Alice sends a MESSAGE to Bob
      Then Alice's MESSAGE reaches the S-CSCF with a Route to the Service-Route

    @R53 @TS24.229-5.2.6.3.7
    Scenario: an originating request without the Service-Route is routed along it or refused with 400
      Given Alice is registered with IMS digest
      When Alice sends a MESSAGE to Bob without preloading her Service-Route
      Then the eP-CSCF routes Alice's MESSAGE along her Service-Route or refuses it with 400

    @R47 @R48 @RFC3325-5 @security
    Scenario: the eP-CSCF asserts the identity and ignores the WIC's own assertion
      Given Alice is registered with IMS digest
      When Alice sends a MESSAGE to Bob asserting she is "sip:bob@ims.harness.test"
      Then Alice's MESSAGE reaches the S-CSCF asserting her default IMPU only

    @R49 @security
    Scenario: a WIC that is not registered on its WebSocket cannot originate
      When Alice sends a MESSAGE to Bob
      Then the eP-CSCF refuses Alice's MESSAGE, preferably with 403 Forbidden
      And the eP-CSCF forwarded nothing to the S-CSCF

    @R49 @security
    Scenario: a WebSocket with no registration cannot originate as a user registered on another one
      A registration binds the user to the WebSocket it was made on; another WebSocket claiming her identity in
      From is not served (catalogue B.3, identity bound to the registering flow).
      Given Alice is registered with IMS digest
      And Bob's WIC is connected to the eP-CSCF from the authorized WWSF origin
      When Bob sends a MESSAGE to Bob claiming to be Alice
      Then the eP-CSCF refuses Bob's MESSAGE, preferably with 403 Forbidden
      And no MESSAGE reached the S-CSCF

    @R49 @R43 @security
    Scenario: a WIC that de-registered can no longer originate
      Given Alice is registered with IMS digest
      And Alice has de-registered
      When Alice sends a MESSAGE to Bob
      Then the eP-CSCF refuses Alice's MESSAGE, preferably with 403 Forbidden
      And no MESSAGE reached the S-CSCF

  Rule: terminating requests reach the WIC over the WebSocket it registered on (RFC 3327, RFC 5626 §5.3)

    @R57 @RFC3327-5 @RFC5626-5.3
    Scenario: a terminating request along the Path reaches the WIC
      Given Alice is registered with IMS digest
      When the S-CSCF sends a MESSAGE to Alice
      Then Alice receives the MESSAGE on her WebSocket and her answer reaches the S-CSCF

    @R45 @RFC5626-5.3 @RFC3261-16.5
    Scenario: a terminating request for a closed WebSocket gets an error, 430 Flow Failed recommended
      Given Alice is registered with IMS digest
      And Alice's WebSocket has closed
      When the S-CSCF sends a MESSAGE to Alice
      Then the eP-CSCF answers the S-CSCF's MESSAGE to Alice with an error, 430 Flow Failed recommended
