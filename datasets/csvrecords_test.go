package datasets

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// csvTrace is everything a reader of CSV records tells its caller, one
// line per record, for comparing two readers.
func csvTrace(read func() ([]string, error), fieldPos func(int) (int, int), offset func() int64) []string {
	var out []string
	for range 10_000 {
		rec, err := read()
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				out = append(out, fmt.Sprintf("error %#v %v", *pe, pe.Err))
			} else {
				out = append(out, "error "+err.Error())
			}
			return out
		}
		line := fmt.Sprintf("%q offset %d", rec, offset())
		for i := range rec {
			l, c := fieldPos(i)
			line += fmt.Sprintf(" %d:%d", l, c)
		}
		out = append(out, line)
	}
	return append(out, "too many records")
}

// sameAsEncodingCSV checks that csvRecords reads input as encoding/csv
// does with the loader's options.
func sameAsEncodingCSV(t *testing.T, input string) {
	t.Helper()
	want := func() []string {
		r := csv.NewReader(strings.NewReader(input))
		r.ReuseRecord = true
		r.FieldsPerRecord = -1
		r.TrimLeadingSpace = true
		read := func() ([]string, error) {
			rec, err := r.Read()
			if err != nil {
				return nil, err
			}
			return slices.Clone(rec), nil
		}
		return csvTrace(read, r.FieldPos, r.InputOffset)
	}()
	r := newCSVRecords(strings.NewReader(input))
	read := func() ([]string, error) {
		rec, err := r.Read()
		if err != nil {
			return nil, err
		}
		return slices.Clone(rec), nil
	}
	got := csvTrace(read, r.FieldPos, r.InputOffset)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("input %q:\n got %q\nwant %q", input, got, want)
	}
}

func TestCSVRecordsReadAsEncodingCSV(t *testing.T) {
	for _, input := range []string{
		"",
		"a,b,y\n1,2,x\n",
		"a,b,y\r\n1,2,x\r\n3,4,z",
		"a,b\n\n\n1,2\n\r\n3,4\r",
		"  a,\t b , y \n 1 ,  2,x\n",
		"a,\"b\"\"c\",\"d,e\"\n\"multi\nline\",2,\"x\r\ny\"\n",
		"a,b\n1,\"unterminated\n2,3\n",
		"a,b\n1,x\"y\n",
		"a,b\n1,\"x\"y\n",
		"a,b\n\"x\" ,y\n",
		"a,b,\n,,\n,\n",
		"\ufeffa,b\n1,2\n",
		"a, \"b\"\n 1,\"\u00a0 2\"\n",
		strings.Repeat("x", 300<<10) + ",1\n2,\"" + strings.Repeat("q", 300<<10) + "\"\n",
	} {
		sameAsEncodingCSV(t, input)
	}
}

func TestCSVRecordsReportReadErrors(t *testing.T) {
	boom := errors.New("disk on fire")
	r := newCSVRecords(io.MultiReader(strings.NewReader("a,b\n1,2"), iotestErr{boom}))
	if rec, err := r.Read(); err != nil || !slices.Equal(rec, []string{"a", "b"}) {
		t.Fatalf("first record %q, %v", rec, err)
	}
	if _, err := r.Read(); !errors.Is(err, boom) {
		t.Errorf("second record: %v, want the reader's error", err)
	}
}

type iotestErr struct{ err error }

func (r iotestErr) Read([]byte) (int, error) { return 0, r.err }

func FuzzCSVRecords(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "a,\"b\n\"\"c\"\r\n", "x\"y,z\n", " \"a\" ,b", "\r\r\n\n,", "\"\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		sameAsEncodingCSV(t, input)
	})
}
