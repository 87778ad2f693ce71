// Package wire is the binary encoding that the trainers' families use for
// their fitted state (trainers.Persistent): a header naming the family's
// encoding and its version, then uvarints, zigzag varints, IEEE-754 bits
// in little-endian order, and length-prefixed slices and strings.
//
// A Reader never panics and never allocates more than the remaining bytes
// can hold: a slice's length is checked against them before it is made.
// Its first error sticks; every later read returns a zero value, so a
// decoder reads everything and checks Err (or Close) once.
package wire

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/hpsearch/hpsearch/trainers"
)

// Writer appends an encoding to a byte slice. Its zero value is not
// usable: start with NewWriter.
type Writer struct{ buf []byte }

// NewWriter starts an encoding with its header: the name of the encoding
// (the family, say "knn") and its version.
func NewWriter(name string, version uint64) *Writer {
	w := &Writer{}
	w.String(name)
	w.Uint(version)
	return w
}

// Bytes returns the encoding so far.
func (w *Writer) Bytes() []byte { return w.buf }

// Uint appends v as a uvarint.
func (w *Writer) Uint(v uint64) { w.buf = binary.AppendUvarint(w.buf, v) }

// Int appends v as a zigzag varint.
func (w *Writer) Int(v int) { w.buf = binary.AppendVarint(w.buf, int64(v)) }

// Bool appends v as one byte.
func (w *Writer) Bool(v bool) {
	b := byte(0)
	if v {
		b = 1
	}
	w.buf = append(w.buf, b)
}

// Float appends the bits of v, so NaN payloads and signed zeros survive.
func (w *Writer) Float(v float64) {
	w.buf = binary.LittleEndian.AppendUint64(w.buf, math.Float64bits(v))
}

// String appends a length-prefixed string.
func (w *Writer) String(s string) {
	w.Uint(uint64(len(s)))
	w.buf = append(w.buf, s...)
}

// Floats appends a length-prefixed slice of floats.
func (w *Writer) Floats(v []float64) {
	w.Uint(uint64(len(v)))
	for _, f := range v {
		w.Float(f)
	}
}

// Ints appends a length-prefixed slice of ints.
func (w *Writer) Ints(v []int) {
	w.Uint(uint64(len(v)))
	for _, i := range v {
		w.Int(i)
	}
}

// Reader decodes an encoding made by a Writer.
type Reader struct {
	data []byte
	err  error
}

// NewReader checks the header of data against the expected name and
// version and returns a Reader positioned after it. A header of another
// name or version is an error of the Reader.
func NewReader(data []byte, name string, version uint64) *Reader {
	r := &Reader{data: data}
	if got := r.String(); r.err == nil && got != name {
		r.Failf("encoding %q, want %q", truncate(got), name)
	}
	if got := r.Uint(); r.err == nil && got != version {
		r.Failf("%s encoding version %d, this build reads version %d", name, got, version)
	}
	return r
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// Err returns the first error, which wraps trainers.ErrBadState.
func (r *Reader) Err() error { return r.err }

// Close returns the first error, or an error if bytes remain unread.
func (r *Reader) Close() error {
	if r.err == nil && len(r.data) > 0 {
		r.Failf("%d bytes after the end", len(r.data))
	}
	return r.err
}

// Failf records an error (unless one is recorded already): decoders call
// it for values that decode but make no sense.
func (r *Reader) Failf(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", trainers.ErrBadState, fmt.Sprintf(format, args...))
	}
	r.data = nil
}

// Uint reads a uvarint.
func (r *Reader) Uint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.data)
	if n <= 0 {
		r.Failf("truncated or overlong integer")
		return 0
	}
	r.data = r.data[n:]
	return v
}

// Int reads a zigzag varint that must fit an int.
func (r *Reader) Int() int {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.data)
	if n <= 0 || int64(int(v)) != v {
		r.Failf("truncated or overlong integer")
		return 0
	}
	r.data = r.data[n:]
	return int(v)
}

// Count reads a non-negative int no larger than max.
func (r *Reader) Count(what string, max int) int {
	v := r.Uint()
	if v > uint64(max) {
		r.Failf("%s %d, at most %d", what, v, max)
		return 0
	}
	return int(v)
}

// Bool reads one byte that must be 0 or 1.
func (r *Reader) Bool() bool {
	if r.err != nil {
		return false
	}
	if len(r.data) == 0 || r.data[0] > 1 {
		r.Failf("truncated or bad boolean")
		return false
	}
	v := r.data[0] == 1
	r.data = r.data[1:]
	return v
}

// Float reads a float's bits.
func (r *Reader) Float() float64 {
	if r.err != nil {
		return 0
	}
	if len(r.data) < 8 {
		r.Failf("truncated float")
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.data))
	r.data = r.data[8:]
	return v
}

// length reads a slice length whose elements take at least minSize bytes
// each, refusing one the remaining bytes cannot hold.
func (r *Reader) length(minSize int) int {
	n := r.Uint()
	if r.err != nil {
		return 0
	}
	if n > uint64(len(r.data)/minSize) {
		r.Failf("length %d exceeds the %d bytes left", n, len(r.data))
		return 0
	}
	return int(n)
}

// String reads a length-prefixed string.
func (r *Reader) String() string {
	n := r.length(1)
	if r.err != nil {
		return ""
	}
	s := string(r.data[:n])
	r.data = r.data[n:]
	return s
}

// Floats reads a length-prefixed slice of floats. An empty slice is
// returned as a non-nil empty slice.
func (r *Reader) Floats() []float64 {
	n := r.length(8)
	if r.err != nil {
		return nil
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = r.Float()
	}
	return out
}

// FloatsN reads a length-prefixed slice of floats that must have exactly
// n elements.
func (r *Reader) FloatsN(what string, n int) []float64 {
	v := r.Floats()
	if r.err == nil && len(v) != n {
		r.Failf("%s has %d values, want %d", what, len(v), n)
		return nil
	}
	return v
}

// Ints reads a length-prefixed slice of ints.
func (r *Reader) Ints() []int {
	n := r.length(1)
	if r.err != nil {
		return nil
	}
	out := make([]int, n)
	for i := range out {
		out[i] = r.Int()
	}
	return out
}
