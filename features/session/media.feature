@X.2.2 @media @calls @TS23.228-U.1.1
Feature: The media profile of the eP-CSCF: SDP passed through, or anchored as with an eIMS-AGW
  TS 23.228 U.1.1: "WebRTC specific media plane extensions will be handled at the access edge and will not be
  propagated to other IMS functions", and media multiplexing offered by a WIC "shall be removed at the entry of the IMS
  network". An eP-CSCF with an eIMS-AGW rewrites the SDP so (profile `epcscf.media: anchored`); a signalling-only one
  passes it as the WIC wrote it (`transparent`, the default), leaving the WebRTC media plane to the far end. Only
  signalling is judged: no media flows. A scenario of the other profile is N/A.

  Background:
    Given Alice's WIC is connected to the eP-CSCF from the authorized WWSF origin
    And Alice is registered with IMS digest

  @R59 @RFC3261-16.6
  Scenario: transparent: Alice's offer reaches the S-CSCF unchanged in meaning
    Given the profile says the eP-CSCF passes media
    When Alice calls the network with audio and video
    Then Alice's offer reaches the S-CSCF unchanged
    And Alice's call is answered with a WebRTC answer

  @R59 @R60 @R61 @R62 @R64
  Scenario: anchored: no ICE, DTLS or BUNDLE reach the S-CSCF, and Alice gets a WebRTC answer
    Given the profile says the eP-CSCF anchors media
    When Alice calls the network with audio and video
    Then Alice's offer reaches the S-CSCF without ICE, DTLS or BUNDLE
    And Alice's call is answered with a WebRTC answer
    When Alice hangs up
    Then every request of Alice's call reached the S-CSCF through the eP-CSCF

  @R66 @R61
  Scenario: anchored or transparent: the network's call reaches Alice as a WebRTC offer
    When the network calls Alice
    Then Alice's WIC rings with a WebRTC offer and she answers

  @R59 @R66
  Scenario: anchored: Alice's answer to the network's call reaches the network without ICE or DTLS
    Given the profile says the eP-CSCF anchors media
    When the network calls Alice
    Then Alice's WIC rings with a WebRTC offer and she answers
    And Alice's answer reaches the network without ICE or DTLS
