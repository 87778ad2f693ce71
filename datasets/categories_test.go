package datasets

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// TestOrdinalCategories checks that an ordinally encoded string column
// keeps its categories in code order, that the binary form carries them,
// and that a dataset without them keeps the binary form (and SHA256) it
// had before Categories existed: the reserved header bytes stay zero.
func TestOrdinalCategories(t *testing.T) {
	const in = "colour,size,label\nred,1,a\nblue,2,b\ngreen,3,a\nblue,4,b\n"
	d, err := ReadCSV(strings.NewReader(in), "c.csv", Options{Target: "label", Encoding: Ordinal})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"colour": {"blue", "green", "red"}}
	if !reflect.DeepEqual(d.Categories, want) {
		t.Fatalf("categories %v, want %v", d.Categories, want)
	}
	if got := d.X[0]; got != 2 { // red is code 2
		t.Fatalf("red encoded as %v, want 2", got)
	}
	b, err := d.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	back, err := UnmarshalBinary(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Categories, want) {
		t.Fatalf("after the binary form: categories %v, want %v", back.Categories, want)
	}
	if sb, err := back.MarshalBinary(); err != nil || !bytes.Equal(sb, b) {
		t.Fatalf("binary form not stable across a round trip (%v)", err)
	}

	oh, err := ReadCSV(strings.NewReader(in), "c.csv", Options{Target: "label"})
	if err != nil {
		t.Fatal(err)
	}
	if oh.Categories != nil {
		t.Fatalf("one-hot dataset has categories %v", oh.Categories)
	}
	ob, err := oh.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if ob[6] != 0 || ob[7] != 0 {
		t.Fatalf("reserved header bytes % x, want zero without categories", ob[6:8])
	}
}
