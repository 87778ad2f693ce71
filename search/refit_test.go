package search

import (
	"errors"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

// TestSpecRefit: search.refit defaults to true without being recorded,
// false turns the end-of-study refit off, and anything but a boolean is
// reported at its line and field.
func TestSpecRefit(t *testing.T) {
	const head = "name: s\nmodel: branin\n" // lines 1-2
	if s := parse(t, head+"search: {method: random}\n"); s.Search.Refit != nil || !s.Search.RefitEnabled() {
		t.Errorf("unwritten refit resolved to %v (enabled %v), want nil and enabled", s.Search.Refit, s.Search.RefitEnabled())
	}
	if s := parse(t, head+"search: {refit: false}\n"); s.Search.Refit == nil || s.Search.RefitEnabled() {
		t.Errorf("refit: false resolved to %v (enabled %v)", s.Search.Refit, s.Search.RefitEnabled())
	}
	if s := parse(t, head+"search: {refit: true}\n"); !s.Search.RefitEnabled() {
		t.Errorf("refit: true is not enabled")
	}
	_, err := Parse(strings.NewReader(head+"search:\n  refit: yes please\n"), "spec.yaml", testCatalog)
	var ie *trial.InputError
	if !errors.As(err, &ie) || ie.Line != 4 || ie.Field != "search.refit" {
		t.Fatalf("refit: yes please: got %v, want an InputError at line 4, field search.refit", err)
	}
}
