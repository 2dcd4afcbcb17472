package gateway

import "encoding/binary"

// The gateway reads the websocket's bytes twice as they pass under gorilla:
// the close sniffer (closeWatch) for the close code Discord sends, and the
// HELLO guard (helloGate) for the HELLO and the size of each message. Both
// follow the stream with one frameReader, the package's only parser of RFC
// 6455 framing; the test gateway reads the bot's frames with it too.

// frameHeader is one websocket frame's header (RFC 6455 §5.2).
type frameHeader struct {
	fin    bool
	opcode byte // websocket.TextMessage, …; 0 continues a fragmented message
	masked bool
	key    [4]byte // the masking key, when masked
	length uint64  // the payload's, as announced
}

// isControl reports whether the frame is a control frame (close, ping,
// pong, and the reserved 0xb–0xf), which may come between a message's
// fragments and carries at most 125 bytes.
func (h frameHeader) isControl() bool { return h.opcode&0x08 != 0 }

// unmask undoes the masking of p, the payload bytes from offset on.
func (h frameHeader) unmask(p []byte, offset uint64) {
	if !h.masked {
		return
	}
	for i := range p {
		p[i] ^= h.key[(offset+uint64(i))%4]
	}
}

// maxFrameHeader is the longest frame header: 2 bytes, 8 of extended
// length, 4 of masking key.
const maxFrameHeader = 14

// frameHeaderSize returns how long the header starting with b is, as far as
// b shows (2 while b holds less than 2 bytes).
func frameHeaderSize(b []byte) int {
	if len(b) < 2 {
		return 2
	}
	n := 2
	switch b[1] & 0x7f {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if b[1]&0x80 != 0 {
		n += 4
	}
	return n
}

// parseFrameHeader decodes a whole header (len(b) == frameHeaderSize(b)).
func parseFrameHeader(b []byte) frameHeader {
	h := frameHeader{fin: b[0]&0x80 != 0, opcode: b[0] & 0x0f, masked: b[1]&0x80 != 0}
	rest := b[2:]
	switch l := b[1] & 0x7f; l {
	case 126:
		h.length, rest = uint64(binary.BigEndian.Uint16(rest)), rest[2:]
	case 127:
		h.length, rest = binary.BigEndian.Uint64(rest), rest[8:]
	default:
		h.length = uint64(l)
	}
	if h.masked {
		copy(h.key[:], rest)
	}
	return h
}

// frameEvent is what frameReader.next found.
type frameEvent int

const (
	frameMore     frameEvent = iota // all of b taken; nothing complete yet
	frameUpgraded                   // b[:n] ended the HTTP upgrade response
	frameStart                      // b[:n] ended a frame header, now in hdr
	framePayload                    // b[:n] is payload of hdr's frame
)

// frameReader follows a websocket byte stream as it passes, in chunks of any
// size: first an HTTP upgrade response up to its blank line (unless framing
// is set, for a stream that starts with frames), then frames. It counts
// payloads rather than scanning them, so nothing in a payload or a header
// line can pass for a frame. The zero value expects the upgrade response.
type frameReader struct {
	framing bool // past the HTTP head: reading frames
	crlf    int  // bytes of "\r\n\r\n" matched in the HTTP head

	buf [maxFrameHeader]byte // the header being read
	n   int                  // bytes of it read

	hdr  frameHeader // the current frame's header
	left uint64      // payload bytes of the current frame still to come
}

// next takes bytes from the front of b (at least one, when b is not
// empty) and reports what they were. After frameStart or framePayload,
// frameEnded says whether the frame is complete.
func (r *frameReader) next(b []byte) (int, frameEvent) {
	if len(b) == 0 {
		return 0, frameMore
	}
	if !r.framing {
		const end = "\r\n\r\n"
		for i, c := range b {
			switch {
			case c == end[r.crlf]:
				r.crlf++
			case c == '\r':
				r.crlf = 1
			default:
				r.crlf = 0
			}
			if r.crlf == len(end) {
				r.framing = true
				return i + 1, frameUpgraded
			}
		}
		return len(b), frameMore
	}
	if r.left > 0 {
		k := min(r.left, uint64(len(b)))
		r.left -= k
		return int(k), framePayload
	}
	for i, c := range b {
		r.buf[r.n] = c
		r.n++
		if r.n == frameHeaderSize(r.buf[:r.n]) {
			r.hdr = parseFrameHeader(r.buf[:r.n])
			r.n, r.left = 0, r.hdr.length
			return i + 1, frameStart
		}
	}
	return len(b), frameMore
}

// frameEnded reports whether the current frame's payload is all past.
func (r *frameReader) frameEnded() bool { return r.left == 0 && r.n == 0 }
