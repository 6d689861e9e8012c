@X.2.2 @origination @termination @TS24.229-5.2.6
Feature: Origination and termination through the eP-CSCF (TR 23.701 X.2.2)
  "Origination and termination flows for WebRTC IMS clients follow standard IMS procedures with the exception that
  routing of all messages between the WIC and S-CSCF traverse the eP-CSCF." A standalone MESSAGE stands for any
  request here; sessions with WebRTC SDP build on the same routing.

  Background:
    Given Alice's WIC is connected to the eP-CSCF from the authorized WWSF origin

  Rule: originating requests are routed to the S-CSCF with an asserted identity (TS 24.229 §5.2.6.3)

    @R53 @RFC3608-6
    Scenario: an originating request follows the Service-Route stored at registration
      Given Alice is registered with IMS digest
      When Alice sends a MESSAGE to Bob
      Then Alice's MESSAGE reaches the S-CSCF with a Route to the Service-Route

    @R47 @R48 @RFC3325-9.1 @security
    Scenario: the eP-CSCF asserts the identity and ignores the WIC's own assertion
      Given Alice is registered with IMS digest
      When Alice sends a MESSAGE to Bob asserting she is "sip:bob@ims.harness.test"
      Then Alice's MESSAGE reaches the S-CSCF asserting her default IMPU only

    @R49 @security
    Scenario: a WIC that is not registered on its WebSocket cannot originate
      When Alice sends a MESSAGE to Bob
      Then Alice's MESSAGE is refused with 403
      And no MESSAGE reached the S-CSCF

  Rule: terminating requests reach the WIC over the WebSocket it registered on (RFC 5626 §5.3, RFC 3327)

    @R57 @RFC5626-5.3
    Scenario: a terminating request along the Path reaches the WIC
      Given Alice is registered with IMS digest
      When the S-CSCF sends a MESSAGE to Alice
      Then Alice receives the MESSAGE on her WebSocket and her answer reaches the S-CSCF

    @R45 @RFC5626-5.3
    Scenario: a terminating request for a closed WebSocket fails with 430 or 480
      Given Alice is registered with IMS digest
      And Alice's WebSocket has closed
      When the S-CSCF sends a MESSAGE to Alice
      Then the S-CSCF's MESSAGE to Alice fails with 430 or 480
