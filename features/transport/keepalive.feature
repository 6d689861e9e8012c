@X.2.1.2 @W2 @websocket @keepalive @RFC5626-5.4
Feature: CRLF keep-alive on the WIC's WebSocket
  A WIC keeps its flow alive with a double CRLF (the "ping") and expects a single CRLF (the "pong"): RFC 5626
  §4.4.1 on the client's side, §5.4 on the server's ("When a server receives a double CRLF sequence between SIP
  messages on a connection-oriented transport such as TCP or SCTP, it MUST immediately respond with a single CRLF
  over the same connection."). SIP.js sends it on its WebSocket. Where the profile says the eP-CSCF does not answer
  CRLF keep-alives (`epcscf.keepalive.crlf: false`), the scenario is N/A.

  Scenario: the eP-CSCF answers a double-CRLF keep-alive with a CRLF
    Given the profile says the eP-CSCF answers CRLF keep-alives
    And Alice's WIC is connected to the eP-CSCF from the authorized WWSF origin
    When Alice's WIC sends a double-CRLF keep-alive
    Then the eP-CSCF answers Alice's keep-alive with a CRLF
