package fluency

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

var blankLine = regexp.MustCompile(`\n\s*\n`)

// Build writes the table of a reference text: every word it holds at least
// minCount times, marked F when at least minShare of its uses follow a
// subject pronoun. A Project Gutenberg header and licence are left out.
func Build(w io.Writer, reference string) error {
	s := strings.TrimPrefix(strings.ReplaceAll(reference, "\r", ""), "\ufeff")
	if i := strings.Index(s, "*** START OF"); i >= 0 {
		s = s[i:]
		s = s[strings.Index(s, "\n")+1:]
	}
	if i := strings.Index(s, "*** END OF"); i >= 0 {
		s = s[:i]
	}
	if i := strings.Index(s, "End of the Project Gutenberg"); i >= 0 {
		s = s[:i]
	}
	total, after := map[string]int{}, map[string]int{}
	for _, p := range blankLine.Split(s, -1) {
		fields := strings.Fields(p)
		if len(fields) < 3 {
			continue
		}
		for _, sent := range sentences(strings.Join(fields, " ")) {
			for i, t := range sent {
				total[t.w]++
				if i > 0 && subjects[sent[i-1].w] {
					after[t.w]++
				}
			}
		}
	}
	var words []string
	for t, n := range total {
		if n >= minCount && isWord(t) {
			words = append(words, t)
		}
	}
	if len(words) == 0 {
		return fmt.Errorf("fluency: the reference holds no word %d times", minCount)
	}
	slices.Sort(words)
	var b strings.Builder
	fmt.Fprintf(&b, "# Finite verbs: F marks a word that follows I, he, she, we or they in at least %g of its uses.\n", minShare)
	fmt.Fprintf(&b, "# %d words held at least %d times by the reference. Rebuilt by go generate (internal/mktable).\n", len(words), minCount)
	for _, t := range words {
		flag := "-"
		if float64(after[t])/float64(total[t]) >= minShare {
			flag = "F"
		}
		fmt.Fprintf(&b, "%s %s\n", flag, t)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func isWord(t string) bool {
	for _, tk := range sentences(t) {
		return len(tk) == 1 && tk[0].word && tk[0].w == t
	}
	return false
}
