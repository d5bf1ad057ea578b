package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progress shows a progress line on a terminal for inputs that take more
// than a couple of seconds; it is silent otherwise.
type progress struct {
	w       io.Writer
	enabled bool
	start   time.Time
	last    time.Time
	shown   bool
	calls   int
}

func newProgress(w io.Writer, terminal bool) *progress {
	return &progress{w: w, enabled: terminal, start: time.Now()}
}

func (p *progress) update(name string, rows, bytes int64) {
	if p == nil || !p.enabled {
		return
	}
	p.calls++
	if p.calls%4096 != 0 {
		return
	}
	now := time.Now()
	if now.Sub(p.start) < 2*time.Second || now.Sub(p.last) < 250*time.Millisecond {
		return
	}
	p.last, p.shown = now, true
	fmt.Fprintf(p.w, "\r%s: %d rows, %.1f MB read ", name, rows, float64(bytes)/1e6)
}

func (p *progress) done() {
	if p != nil && p.shown {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", 60))
		p.shown = false
	}
}
