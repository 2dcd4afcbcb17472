package gateway

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	"github.com/gorilla/websocket"
)

// seen is one thing a frameReader reported: the end of the upgrade
// response, or a frame with its unmasked payload (complete or not).
type seen struct {
	upgraded bool
	hdr      frameHeader
	payload  []byte
	complete bool
}

func (s seen) String() string {
	if s.upgraded {
		return "upgraded"
	}
	return fmt.Sprintf("frame{fin %v op %d masked %v len %d: %q complete %v}", s.hdr.fin, s.hdr.opcode, s.hdr.masked, s.hdr.length, s.payload, s.complete)
}

// readAll runs stream through a frameReader in chunks of chunk bytes and
// lists what it reported. It fails t when next takes no byte or more than
// it was given, or hands out more payload than a header announced.
func readAll(t *testing.T, r frameReader, stream []byte, chunk int) []seen {
	t.Helper()
	var out []seen
	for len(stream) > 0 {
		c := stream[:min(chunk, len(stream))]
		stream = stream[len(c):]
		for len(c) > 0 {
			n, ev := r.next(c)
			if n < 1 || n > len(c) {
				t.Fatalf("next took %d of %d bytes", n, len(c))
			}
			switch ev {
			case frameUpgraded:
				out = append(out, seen{upgraded: true})
			case frameStart:
				out = append(out, seen{hdr: r.hdr, payload: []byte{}})
			case framePayload:
				last := &out[len(out)-1]
				p := bytes.Clone(c[:n])
				r.hdr.unmask(p, uint64(len(last.payload)))
				last.payload = append(last.payload, p...)
				if uint64(len(last.payload)) > last.hdr.length {
					t.Fatalf("%d payload bytes for a frame of %d", len(last.payload), last.hdr.length)
				}
			}
			if (ev == frameStart || ev == framePayload) && r.frameEnded() {
				out[len(out)-1].complete = true
			}
			c = c[n:]
		}
	}
	return out
}

func TestFrameReader(t *testing.T) {
	t.Parallel()
	upgrade := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nX-Junk: \x81\x05\r\r\n\r\n"
	text := frame(websocket.TextMessage, []byte(`{"op":10}`), nil)
	medium := bytes.Repeat([]byte("\x88\x02\r\n\r\n"), 30) // 180 bytes: a 16-bit length
	large := bytes.Repeat([]byte{0x81}, 70000)             // a 64-bit length
	key := []byte{9, 8, 7, 6}
	fragment := frame(websocket.TextMessage, []byte("half"), nil)
	fragment[0] &^= 0x80 // not the last
	for _, tt := range []struct {
		name    string
		framing bool
		stream  []byte
		want    []seen
	}{
		{"upgrade then a frame", false, cat(upgrade, text), []seen{
			{upgraded: true},
			{hdr: frameHeader{fin: true, opcode: 1, length: 9}, payload: []byte(`{"op":10}`), complete: true},
		}},
		{"frames only", true, cat("", frame(websocket.PingMessage, nil, nil), frame(websocket.BinaryMessage, medium, nil)), []seen{
			{hdr: frameHeader{fin: true, opcode: 9}, payload: []byte{}, complete: true},
			{hdr: frameHeader{fin: true, opcode: 2, length: 180}, payload: medium, complete: true},
		}},
		{"masked, 64-bit length", true, frame(websocket.TextMessage, large, key), []seen{
			{hdr: frameHeader{fin: true, opcode: 1, masked: true, key: [4]byte(key), length: 70000}, payload: large, complete: true},
		}},
		{"fragment and continuation", true, cat("", fragment, frame(0, []byte("!"), nil)), []seen{
			{hdr: frameHeader{opcode: 1, length: 4}, payload: []byte("half"), complete: true},
			{hdr: frameHeader{fin: true, opcode: 0, length: 1}, payload: []byte("!"), complete: true},
		}},
		{"a frame cut short", true, frame(websocket.TextMessage, []byte("abcdef"), nil)[:5], []seen{
			{hdr: frameHeader{fin: true, opcode: 1, length: 6}, payload: []byte("abc")},
		}},
		{"an upgrade response never ending", false, []byte("HTTP/1.1 101\r\n\r\r\n"), nil},
	} {
		for _, chunk := range []int{1, 2, 3, 13, 4096, len(tt.stream)} {
			got := readAll(t, frameReader{framing: tt.framing}, tt.stream, chunk)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s, chunks of %d:\n got %v\nwant %v", tt.name, chunk, got, tt.want)
			}
		}
	}
}

// FuzzFrameReader: whatever the bytes and however they are cut, the reader
// makes progress, reports the same things, never more payload than a
// header announced, and gives back a frame encoded after the bytes as it
// was written.
func FuzzFrameReader(f *testing.F) {
	f.Add([]byte("HTTP/1.1 101 Switching Protocols\r\n\r\n"), false, byte(1), []byte(`{"op":10}`), []byte(nil), uint16(7))
	f.Add([]byte{0x81, 0x7e, 0x00}, true, byte(8), []byte{0x0f, 0xa4}, []byte{1, 2, 3, 4}, uint16(1))
	f.Add([]byte{0x82, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, true, byte(2), bytes.Repeat([]byte("x"), 300), []byte(nil), uint16(64))
	f.Fuzz(func(t *testing.T, head []byte, framing bool, opcode byte, payload, key []byte, chunk uint16) {
		if len(key) != 4 {
			key = nil
		}
		one := readAll(t, frameReader{framing: framing}, head, 1)
		cut := readAll(t, frameReader{framing: framing}, head, max(int(chunk), 1))
		if !reflect.DeepEqual(one, cut) {
			t.Fatalf("byte by byte:\n%v\nin chunks of %d:\n%v", one, chunk, cut)
		}
		// A frame after a framing reader's complete frames reads back.
		if !framing || len(one) > 0 && !one[len(one)-1].complete {
			return
		}
		r := frameReader{framing: true}
		for b := head; len(b) > 0; {
			n, _ := r.next(b)
			b = b[n:]
		}
		if r.n != 0 { // a header cut short
			return
		}
		got := readAll(t, r, frame(opcode&0x0f, payload, key), max(int(chunk), 1))
		want := seen{hdr: frameHeader{fin: true, opcode: opcode & 0x0f, masked: key != nil, length: uint64(len(payload))}, payload: bytes.Clone(payload), complete: true}
		if key != nil {
			want.hdr.key = [4]byte(key)
		}
		if want.payload == nil {
			want.payload = []byte{}
		}
		if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
			t.Fatalf("frame written: %v\nread: %v", want, got)
		}
	})
}
