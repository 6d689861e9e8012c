@X.2.2 @session @calls @TS24.229-5.2.6
Feature: Calls through the eP-CSCF (TR 23.701 X.2.2)
  "Origination and termination flows for WebRTC IMS clients follow standard IMS procedures with the exception that
  routing of all messages between the WIC and S-CSCF traverse the eP-CSCF." The WIC offers WebRTC SDP (ICE, DTLS-SRTP,
  rtcp-mux, BUNDLE, Opus); the network's user agent behind the mock S-CSCF answers, is busy, or never answers; the
  eP-CSCF records its route so that every request of the dialog crosses it, in both directions.

  Background:
    Given Alice's WIC is connected to the eP-CSCF from the authorized WWSF origin
    And Alice is registered with IMS digest

  Rule: a call is set up and torn down through the eP-CSCF, with WebRTC SDP toward the WIC

    @R54 @R55 @R61 @R62 @R64 @RFC3261-16.6 @RFC3261-12.2
    Scenario: Alice calls the network: INVITE, 180, 200, ACK and BYE cross the eP-CSCF
      When Alice calls the network
      Then Alice's WebRTC offer reaches the S-CSCF
      And Alice's call is answered with a WebRTC answer
      And the eP-CSCF Record-Routes Alice's INVITE toward the S-CSCF and in the 200 OK to her
      When Alice hangs up
      Then every request of Alice's call reached the S-CSCF through the eP-CSCF

    @R54 @R55 @R57 @R66 @RFC3261-16.6
    Scenario: the network calls Alice and hangs up
      When the network calls Alice
      Then Alice's WIC rings with a WebRTC offer and she answers
      And the eP-CSCF Record-Routes the network's INVITE to Alice
      When the network hangs up on Alice
      Then Alice receives the BYE on her WebSocket and the network's BYE is answered

    @R54 @R55 @R57 @RFC3261-16.6
    Scenario: Alice calls Bob, both behind the eP-CSCF, and Bob hangs up
      Given Bob's WIC is connected to the eP-CSCF from the authorized WWSF origin
      And Bob is registered with IMS digest
      When Alice calls Bob
      Then Bob's WIC rings and he answers
      And Alice's call is answered with a WebRTC answer
      And the eP-CSCF Record-Routes Alice's call to Bob on both WebSockets
      And Bob receives the ACK
      When Bob hangs up
      Then Alice receives Bob's BYE on her WebSocket and the call ends

    @R55 @RFC3261-14 @RFC3311
    Scenario: a re-INVITE, an UPDATE and a MESSAGE within Alice's call cross the eP-CSCF
      Given Alice is in a call with the network
      When Alice re-INVITEs, UPDATEs and sends a MESSAGE in her call
      Then each of them reached the S-CSCF through the eP-CSCF and was answered

    @R45 @RFC5626-5.3
    Scenario: the network's call to Alice after her WebSocket closed fails in bounded time
      Given Alice's WebSocket has closed
      When the network calls Alice
      Then the network's call to Alice fails with an error response

  Rule: the far side's final responses reach the WIC (RFC 3261 §16.7, §16.10)

    @R58 @RFC3261-9 @RFC3261-16.10
    Scenario: a CANCEL before the answer ends the call with 487
      Given the network rings without answering
      When Alice calls the network
      And Alice cancels her call once it rings
      Then Alice's CANCEL is answered 200 and her INVITE 487

    @R58 @RFC3261-16.7
    Scenario: a busy network's 486 reaches the WIC
      Given the network is busy
      When Alice calls the network
      Then Alice's call fails with 486

  Rule: only the WebSocket a dialog was recorded for may act in it (TS 24.229 §5.2.6.3.5, TS 33.203 Q.1)

    @R50 @security @TS33.203-Q.1
    Scenario: an in-dialog request from another WebSocket is refused
      Given Bob's WIC is connected to the eP-CSCF from the authorized WWSF origin
      And Bob is registered with IMS digest
      And Alice is in a call with the network
      When Bob sends a BYE in Alice's call from his own WebSocket
      Then Bob's BYE is refused and reaches nothing

    @R50 @security
    Scenario: a request with a To-tag outside any dialog is refused and reaches nothing
      When Alice sends a BYE with a To-tag outside any dialog
      Then Alice's BYE is refused and reaches nothing
