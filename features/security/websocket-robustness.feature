@security @websocket-robustness @W2 @websocket @RFC6455-5 @RFC7118-5
Feature: a WebSocket edge that survives hostile clients (issue 9 §5)
  A hostile WIC writes its frames by hand (RFC 6455 §5.2): a SIP message split over continuation frames, an
  unmasked frame, invalid UTF-8 in a text frame, a message of 1 MiB and one byte, and the invalid messages of
  RFC 4475 §3.1.2. Each gets what RFC 6455, RFC 7118 and RFC 4475 prescribe, and afterwards a fresh WIC on a fresh
  WebSocket still registers: the edge survived. RFC 6455 §10.4: "Implementations that have implementation- and/or
  platform-specific limitations regarding the frame size or total message size after reassembly from multiple
  frames MUST protect themselves against exceeding those limits."

  @R08 @RFC6455-5.4 @R73
  Scenario: a REGISTER fragmented over three WebSocket frames is processed
    When a hostile WIC sends a REGISTER for Alice in three WebSocket frames
    Then the eP-CSCF answers the fragmented REGISTER
    And Bob's WIC, connecting afresh, still registers

  @R09 @RFC6455-5.1 @RFC6455-7.4.1 @R73
  Scenario: an unmasked client frame closes the connection, 1002 recommended
    When a hostile WIC sends an unmasked frame on its WebSocket
    Then the eP-CSCF fails that WebSocket connection as RFC 6455 prescribes
    And Bob's WIC, connecting afresh, still registers

  @R08 @RFC6455-8.1 @RFC6455-7.4.1 @R73
  Scenario: invalid UTF-8 in a text frame fails the connection, 1007 recommended
    When a hostile WIC sends invalid UTF-8 on its WebSocket
    Then the eP-CSCF fails that WebSocket connection as RFC 6455 prescribes
    And Bob's WIC, connecting afresh, still registers

  @R73 @RFC6455-10.4 @RFC6455-7.4.1
  Scenario: a message of 1 MiB and one byte is processed or refused with 1009, and the edge survives
    When a hostile WIC sends an oversized message on its WebSocket
    Then the eP-CSCF fails that WebSocket connection as RFC 6455 prescribes
    And Bob's WIC, connecting afresh, still registers

  @R08 @RFC7118-5.1 @R73
  Scenario: a WebSocket message with two SIP messages never puts the second on Mw
    RFC 7118 §5.1: a WebSocket message MUST NOT contain more than one SIP message. The eP-CSCF may drop the message,
    answer 400, close the connection, or process the first and discard what follows its Content-Length (RFC 3261
    §18.3); nothing of the second may reach the S-CSCF.
    When a hostile WIC sends a REGISTER for Alice and one for Bob in one WebSocket message
    Then nothing of the second REGISTER reaches the S-CSCF
    And Bob's WIC, connecting afresh, still registers

  @tls @R73 @RFC6455-10.4
  Scenario: a WIC still registers while 1,000 half-open TLS connections are held
    Half of them stop after the TCP handshake, half inside a ClientHello; they are held while Bob's WIC connects and
    registers within its deadline, and closed afterwards.
    When a hostile client holds 1000 half-open TLS connections to the eP-CSCF
    Then Bob's WIC, connecting afresh, still registers

  @R70 @R73 @RFC4475-3.1.2 @RFC3261-16.3
  Scenario Outline: the invalid RFC 4475 message <message> is answered 400 or dropped, and the edge survives
    When a hostile WIC sends the RFC 4475 message "<message>" on its WebSocket
    Then the eP-CSCF answers the message "<message>" with 400 or drops it
    And Bob's WIC, connecting afresh, still registers

    Examples:
      | message    |
      | badinv01   |
      | clerr      |
      | ncl        |
      | scalar02   |
      | scalarlg   |
      | quotbal    |
      | ltgtruri   |
      | lwsruri    |
      | lwsstart   |
      | trws       |
      | escruri    |
      | baddate    |
      | regbadct   |
      | badaspec   |
      | baddn      |
      | badvers    |
      | mismatch01 |
      | mismatch02 |
      | bigcode    |
