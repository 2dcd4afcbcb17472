// Package discordtest is an in-process fake of Discord for tests: REST API, gateway websocket,
// attachment file server, and a validator of request bodies against Discord's OpenAPI description.
//
// New starts a fake whose lifetime is the test's (it closes in t.Cleanup). Point a discordgo
// session at it by swapping the HTTP client and the websocket dialer; discordgo's endpoint URLs
// (https://discord.com/api/v9/...) then reach the fake with their paths unchanged:
//
//	fake := discordtest.New(t)
//	s, _ := discordgo.New("Bot test-token")
//	s.Client = fake.Client()             // every https://discord.com/... request goes to the fake
//	s.Dialer = fake.Dialer()             // GET /api/v9/gateway answers ws://127.0.0.1:PORT
//	s.Identify.Intents = discordgo.IntentsGuilds
//	s.Identify.Compress = false          // the fake sends text frames only
//	s.StateEnabled = false
//	s.ShouldReconnectOnError = false     // optional: no reconnect loop after CloseGateway
//	s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) { ... })
//	if err := s.Open(); err != nil { t.Fatal(err) }
//	t.Cleanup(func() { s.Close() })      // registered after New, so it runs before the fake closes
//
//	cb, err := fake.Interaction(t.Context(), map[string]any{
//		"data": map[string]any{"name": "squint", "options": []any{
//			map[string]any{"name": "thing", "type": 3, "value": "tea"}}},
//	})
//	// cb.Type == 4, cb.Data["content"], cb.Data["allowed_mentions"], cb.Latency ...
//
// URL returns a plain http:// origin serving the same routes, for code that takes a REST base
// (DISCORD_API_BASE) instead of a client.
//
// The REST side implements GET /gateway and /gateway/bot; GET, PUT and POST of global and guild
// application commands (plus GET and DELETE of one); POST /interactions/{id}/{token}/callback
// (204; or 400 code 40060 for a second acknowledgement, 401 code 50027 for a token that does not
// match, 404 code 10062 after WithInteractionDeadline); GET, PATCH and DELETE
// /webhooks/{app}/{token}/messages/@original or /{message id}; POST /webhooks/{app}/{token}
// (follow-ups, answered 200 with a message object); POST /channels/{id}/messages (checked against
// create_message, recorded per channel: ChannelMessages, WaitChannelMessages; FailChannel makes a channel
// answer 403 or 404 until lifted); and files registered with ServeFile or
// Attachment. Versions v9 and v10 are both routed. Other routes answer 404 and are listed by
// Unhandled; they do not fail the test. Every request is recorded (Requests, WaitRequest), with
// Authorization values redacted, before its answer is sent and no later than its effect shows (a
// request is listed once WaitCallback or WaitEdit returns what it sent). FailNext injects one failure (a 429 with retry_after, a 500).
// Interactions the fake never dispatched (HTTP-mode tests) are learnt from their first callback
// or webhook call, so their edits and follow-ups are recorded too.
//
// Bodies of callbacks, edits, follow-ups and command registrations are checked against
// Discord's OpenAPI description (testdata/openapi.json, see testdata/SOURCES.md) with ValidateJSON,
// against Discord's documented rules the schemas do not express, and against the project's policy
// that every message sets allowed_mentions to {"parse":[]}. A violation answers Discord's error
// (400, code 50035) and fails the test with t.Errorf, unless the fake was made WithReportOnly;
// Violations lists them either way. So does a REST call naming another application id. The checks
// are also exported (CheckInteractionResponse, CheckWebhookEdit, CheckFollowup, CheckCommands)
// for bodies that never reach the fake, such as an HTTP interaction's inline response.
//
// The gateway sends HELLO (or as WithHelloHook decides: nothing at all, or any payload, such as a
// HELLO with a heartbeat_interval of 0), answers IDENTIFY with READY (or as WithIdentifyHook
// decides: a close code, op 9, or silence), RESUME with the missed dispatches and RESUMED (or op 9 for an unknown session),
// and heartbeats with op 11 (unless WithoutHeartbeatAck). It enforces Discord's close codes for
// undecodable or oversized payloads (4002), unknown opcodes (4001), sending before identifying
// (4003), identifying twice (4005), a bad token (4004, see WithToken), an invalid shard (4010) and
// an unsupported API version (4012); and, as Discord does, a session the bot closed with 1000 or
// 1001 cannot be resumed (a close frame the bot sends after the fake closed the connection only
// answers the fake's, so it does not end the session: discordgo answers every close with 1000).
// CloseGateway, like Discord, waits for that answer (so ClientCloseCodes lists it) before it drops
// the TCP connection. Dispatch sends any event, of any size (a 32 MiB event of a type discordgo
// does not know, say). Tests drive it with Dispatch, Interaction, Send, Reconnect,
// InvalidSession, CloseGateway and DropGateway, and observe it with WaitIdentify, WaitResume,
// WaitHeartbeats, WaitConnections, Identifies, Resumes, Heartbeats, Connected and ClientCloseCodes.
//
// discordgo v0.29.0 caveats seen with this fake: Session.Close sleeps one second; after a dropped
// connection its listen and heartbeat goroutines may both call reconnect and race (so wait for a
// heartbeat, WaitHeartbeats, before DropGateway, or reconnect yourself); and it reconnects forever,
// even after a fatal close code, unless ShouldReconnectOnError is false.
//
// A Server is safe for concurrent use. Its waits take a context and never sleep.
package discordtest
