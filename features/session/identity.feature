@X.2.2 @identity @security @TS24.229-5.2.6.3
Feature: Identity bound to the registering WebSocket, and routing at the edge (TR 23.701 X.2.2)
  "Origination and termination flows for WebRTC IMS clients follow standard IMS procedures with the exception that
  routing of all messages between the WIC and S-CSCF traverse the eP-CSCF." The eP-CSCF binds each identity to the
  WebSocket that registered it, and only while registered (TS 33.203 Q.1, catalogue B.3), asserts only identities
  that WebSocket registered (RFC 3325, TS 24.229 §5.2.6.3.7), keeps the WIC away from internal nodes, and delivers
  terminating requests only from the core and only to the flow its Path names (RFC 5626 §5.3). A second WebSocket
  claiming a user registered on another one, and requests after a de-registration, are in
  origination-termination.feature.

  Background:
    Given Alice's WIC is connected to the eP-CSCF from the authorized WWSF origin

  Rule: only identities registered on the WebSocket are served and asserted (TS 33.203 Q.1, TS 24.229 §5.2.6.3.7)

    @R49 @TS33.203-Q.1
    Scenario: a WIC whose registration failed cannot originate
      Given Alice's registration with a wrong password has failed
      When Alice sends a MESSAGE to Bob
      Then the eP-CSCF refuses Alice's MESSAGE, preferably with 403 Forbidden
      And no MESSAGE reached the S-CSCF

    @R48 @RFC3325-9.1 @TS24.229-5.2.6.3.7
    Scenario: a P-Preferred-Identity among the registered IMPUs is asserted
      Given Alice is registered with IMS digest
      When Alice sends a MESSAGE to Bob preferring her registered tel URI
      Then Alice's MESSAGE reaches the S-CSCF asserting the identity she preferred

    @R48 @RFC3325-5 @TS24.229-5.2.6.3.7
    Scenario: another user's P-Preferred-Identity is refused or replaced by the default IMPU
      Given Alice is registered with IMS digest
      When Alice sends a MESSAGE to Bob preferring Bob's identity
      Then Alice's MESSAGE is refused or reaches the S-CSCF asserting only Alice's own identities

    @R48 @RFC3325-5
    Scenario: a registered WIC that writes another user in From is asserted as itself
      Given Bob's WIC is connected to the eP-CSCF from the authorized WWSF origin
      And Bob is registered with IMS digest
      When Bob sends a MESSAGE to Alice claiming to be Alice
      Then Bob's MESSAGE is refused or reaches the S-CSCF asserting only Bob's own identities

  Rule: the WIC reaches only what its registration routes to (TS 24.229 §5.2.6.3.7, RFC 3261 §16.3)

    @R53 @TS24.229-5.2.6.3.7
    Scenario: a Route preloaded to an internal node is replaced by the Service-Route or refused with 400
      Given Alice is registered with IMS digest
      When Alice sends a MESSAGE to Bob preloading a Route to an internal node
      Then Alice's MESSAGE does not reach the internal node: it follows her Service-Route or gets 400

    @R72 @RFC3261-16.3
    Scenario: a request with Max-Forwards 0 is answered 483 and not forwarded
      Given Alice is registered with IMS digest
      When Alice sends a MESSAGE to Bob with Max-Forwards 0
      Then the eP-CSCF answers Alice's MESSAGE 483 and forwards nothing

  Rule: terminating requests come only from the core and reach only the flow the Path names (RFC 5626 §5.3)

    @R57 @RFC5626-5.3 @RFC3327-5
    Scenario: two instances of Alice on two WebSockets each get their own terminating request
      Given Alice is registered with IMS digest
      And Alice is registered again from a second instance on another WebSocket
      When the S-CSCF sends a MESSAGE to each of Alice's registered instances
      Then each of Alice's WICs receives the MESSAGE for its own registration

    @R46 @R57 @RFC5626-5.3
    Scenario: after Alice registers again from a new WebSocket, terminating requests reach the new one
      Given Alice is registered with IMS digest
      And Alice is registered again from a new WebSocket with the same instance
      When the S-CSCF sends a MESSAGE to Alice
      Then only Alice's newest WebSocket receives the MESSAGE

    @R52 @RFC5626-5.3 @TS33.203-Q.1
    Scenario: a terminating request with a tampered flow token is not delivered
      Given Alice is registered with IMS digest
      When the S-CSCF sends a MESSAGE to Alice along her Path with a tampered flow token
      Then the eP-CSCF does not deliver the tampered MESSAGE, preferably answering 403

    @R52
    Scenario: a terminating request from a node outside the core is not delivered
      Given Alice is registered with IMS digest
      When a node outside the core sends a MESSAGE to Alice along her Path
      Then the eP-CSCF does not deliver the untrusted MESSAGE to Alice
