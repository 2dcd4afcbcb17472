package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/glowcloud/glowcloud/bot"
)

// consoleFiles lets the console attach local files (/scripture add
// file:PATH): Attach gives a file an attachment whose URL only this
// transport answers, and scripture.Commands downloads it through its HTTP
// client as it downloads Discord's, with the same caps and checks. Only
// files attached at the prompt are served. It is safe for concurrent use.
type consoleFiles struct {
	mu    sync.Mutex
	paths map[string]string // attachment URL → absolute path
}

// consoleFilesOrigin is the origin of the attachments' URLs: a reserved
// name (RFC 2606), so nothing but this transport ever answers it.
const consoleFilesOrigin = "http://console.invalid/files/"

// Attach makes an attachment of the regular file at path.
func (f *consoleFiles) Attach(path string) (bot.Attachment, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return bot.Attachment{}, err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return bot.Attachment{}, errors.Unwrap(err) // the path is shown already
	}
	if !fi.Mode().IsRegular() {
		return bot.Attachment{}, errors.New("not a regular file")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.paths == nil {
		f.paths = map[string]string{}
	}
	id := strconv.Itoa(len(f.paths) + 1)
	u := consoleFilesOrigin + id
	f.paths[u] = abs
	size := int(min(fi.Size(), 1<<31-1))
	return bot.Attachment{ID: id, Filename: filepath.Base(abs), Size: size, URL: u}, nil
}

// RoundTrip serves an attached file's bytes, as they are when asked for.
func (f *consoleFiles) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	path, ok := f.paths[r.URL.String()]
	f.mu.Unlock()
	resp := &http.Response{Request: r, Header: http.Header{}, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
	if !ok || r.Method != http.MethodGet {
		resp.StatusCode, resp.Status = http.StatusNotFound, "404 Not Found"
		resp.Body = io.NopCloser(strings.NewReader(""))
		return resp, nil
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	fi, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, fmt.Errorf("console: %w", err)
	}
	resp.StatusCode, resp.Status, resp.Body, resp.ContentLength = http.StatusOK, "200 OK", file, fi.Size()
	return resp, nil
}
