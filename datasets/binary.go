package datasets

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"slices"

	"github.com/hpsearch/hpsearch/trial"
)

// The binary form of a Dataset, all integers little-endian:
//
//	"HPDS" | version uint16 | reserved uint16
//	Name | Target | Task                   strings: uint32 length + bytes
//	uint32 n | n feature names
//	uint32 k | k class labels
//	when reserved bit 0 is set (Categories, else absent, so a dataset
//	without them has the bytes it had before Categories existed):
//	uint32 c | c × (feature name | uint32 m | m categories), in feature order
//	Rows uint64 | Cols uint64
//	X: Rows*Cols float64 | Y: Rows float64
//	CRC-32C (Castagnoli) of everything before, uint32
const (
	binaryMagic   = "HPDS"
	binaryVersion = 1
	// flagCategories, in the reserved header bytes, says a Categories
	// section follows the class labels.
	flagCategories = 1
)

// ErrCorrupt is returned by UnmarshalBinary for input that is not a
// well-formed binary dataset: truncated, corrupted or of another version.
var ErrCorrupt = errors.New("corrupt binary dataset")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// MarshalBinary encodes d in the compact binary form read by
// UnmarshalBinary. The encoding is deterministic, so equal datasets have
// equal bytes and equal SHA256.
func (d *Dataset) MarshalBinary() ([]byte, error) {
	if err := d.checkShape(); err != nil {
		return nil, err
	}
	e := &encoder{buf: make([]byte, 0, d.binarySize())}
	e.encode(d)
	return e.buf, nil
}

// SHA256 returns the hex SHA-256 of d's binary form, its content address.
// It streams the encoding into the hash instead of building it in memory.
func (d *Dataset) SHA256() (string, error) {
	if err := d.checkShape(); err != nil {
		return "", err
	}
	h := sha256.New()
	e := &encoder{buf: make([]byte, 0, 64<<10), w: h}
	e.encode(d)
	if e.err != nil {
		return "", fmt.Errorf("datasets: sha256: %w", e.err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checkShape rejects a Dataset whose slices disagree with Rows and Cols,
// which would otherwise encode something UnmarshalBinary cannot read.
func (d *Dataset) checkShape() error {
	if d.Rows < 0 || d.Cols < 0 || len(d.Features) != d.Cols ||
		(d.Cols > 0 && d.Rows > math.MaxInt/d.Cols) || len(d.X) != d.Rows*d.Cols || len(d.Y) != d.Rows {
		return fmt.Errorf("datasets: marshal: inconsistent shape: %d×%d with %d features, %d cells, %d labels",
			d.Rows, d.Cols, len(d.Features), len(d.X), len(d.Y))
	}
	return nil
}

func (d *Dataset) binarySize() int {
	n := 8 + 4*3 + len(d.Name) + len(d.Target) + len(d.Task) + 4 + 4 + 16 + 8*(len(d.X)+len(d.Y)) + 4
	for _, s := range d.Features {
		n += 4 + len(s)
	}
	for _, s := range d.Classes {
		n += 4 + len(s)
	}
	if len(d.Categories) > 0 {
		n += 4
		for f, cats := range d.Categories {
			n += 8 + len(f)
			for _, s := range cats {
				n += 4 + len(s)
			}
		}
	}
	return n
}

// encoder appends to buf; with a writer w it flushes every chunk, so the
// whole encoding is never in memory. crc covers buf[:done] and all flushed
// bytes.
type encoder struct {
	buf  []byte
	w    io.Writer
	crc  uint32
	done int
	err  error
}

func (e *encoder) encode(d *Dataset) {
	e.buf = append(e.buf, binaryMagic...)
	e.buf = binary.LittleEndian.AppendUint16(e.buf, binaryVersion)
	var flags uint16
	if len(d.Categories) > 0 {
		flags |= flagCategories
	}
	e.buf = binary.LittleEndian.AppendUint16(e.buf, flags)
	e.str(d.Name)
	e.str(d.Target)
	e.str(string(d.Task))
	for _, list := range [][]string{d.Features, d.Classes} {
		e.buf = binary.LittleEndian.AppendUint32(e.buf, uint32(len(list)))
		for _, s := range list {
			e.str(s)
		}
	}
	if flags&flagCategories != 0 {
		var names []string
		for _, f := range d.Features {
			if _, ok := d.Categories[f]; ok {
				names = append(names, f)
			}
		}
		e.buf = binary.LittleEndian.AppendUint32(e.buf, uint32(len(names)))
		for _, f := range names {
			e.str(f)
			e.buf = binary.LittleEndian.AppendUint32(e.buf, uint32(len(d.Categories[f])))
			for _, s := range d.Categories[f] {
				e.str(s)
			}
		}
	}
	e.buf = binary.LittleEndian.AppendUint64(e.buf, uint64(d.Rows))
	e.buf = binary.LittleEndian.AppendUint64(e.buf, uint64(d.Cols))
	e.floats(d.X)
	e.floats(d.Y)
	e.flush()
	e.buf = binary.LittleEndian.AppendUint32(e.buf, e.crc)
	e.done = len(e.buf) // the checksum is not part of what it checks
	e.flush()
}

func (e *encoder) str(s string) {
	e.buf = binary.LittleEndian.AppendUint32(e.buf, uint32(len(s)))
	e.buf = append(e.buf, s...)
	e.maybeFlush()
}

func (e *encoder) floats(xs []float64) {
	const chunk = 4096
	for len(xs) > 0 {
		n := min(len(xs), chunk)
		for _, x := range xs[:n] {
			e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(x))
		}
		xs = xs[n:]
		e.maybeFlush()
	}
}

func (e *encoder) maybeFlush() {
	if e.w != nil && len(e.buf) >= 32<<10 {
		e.flush()
	}
}

func (e *encoder) flush() {
	e.crc = crc32.Update(e.crc, castagnoli, e.buf[e.done:])
	e.done = len(e.buf)
	if e.w == nil || e.err != nil {
		return
	}
	_, e.err = e.w.Write(e.buf)
	e.buf, e.done = e.buf[:0], 0
}

// UnmarshalBinary decodes a dataset written by MarshalBinary and validates
// it. Malformed input is reported with ErrCorrupt; it never panics and
// never allocates more than the input's size implies.
func UnmarshalBinary(b []byte) (*Dataset, error) {
	return DecodeBinary(bytes.NewReader(b), int64(len(b)))
}

// DecodeBinary decodes the binary form of a dataset from r, which must
// hold exactly size bytes, and validates it. It decodes the matrix
// straight into the Dataset's X in small chunks, so the encoded bytes are
// never all in memory: decoding a dataset costs its matrix, not twice it.
//
// It reads r to the end of the encoding and one byte past it (so a longer
// input is refused), and no further. Input that is truncated, longer than
// size, damaged (the checksum covers every byte) or of another version is
// reported with ErrCorrupt, as is a decoded dataset that fails Validate;
// an error reading r is returned wrapped as it is. It never panics, and
// never allocates more than size implies, whatever the header says.
func DecodeBinary(r io.Reader, size int64) (*Dataset, error) {
	corrupt := func(format string, args ...any) error {
		return fmt.Errorf("datasets: decode: %w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
	}
	if size < 8+4 {
		return nil, corrupt("not an HPDS dataset")
	}
	dec := &streamDecoder{r: r, left: size - 4, buf: make([]byte, 0, 64<<10)}
	head := dec.bytes(8)
	if dec.err != nil || string(head[:4]) != binaryMagic {
		return nil, dec.fail(corrupt("not an HPDS dataset"))
	}
	if v := binary.LittleEndian.Uint16(head[4:]); v != binaryVersion {
		return nil, corrupt("version %d, want %d", v, binaryVersion)
	}
	flags := binary.LittleEndian.Uint16(head[6:])
	if flags&^flagCategories != 0 {
		return nil, corrupt("reserved header bytes are not zero")
	}
	d := &Dataset{Name: dec.str(), Target: dec.str(), Task: trial.Task(dec.str())}
	d.Features = dec.strs()
	d.Classes = dec.strs()
	if flags&flagCategories != 0 {
		n := dec.u32()
		if dec.err == nil && (n == 0 || int64(n) > int64(len(d.Features))) {
			return nil, corrupt("%d categorical columns for %d features", n, len(d.Features))
		}
		d.Categories = make(map[string][]string, n)
		for range n {
			f, cats := dec.str(), dec.strs()
			if dec.err != nil {
				break
			}
			if _, dup := d.Categories[f]; dup || !slices.Contains(d.Features, f) {
				return nil, corrupt("categories for %q, which is not a feature or is listed twice", f)
			}
			d.Categories[f] = cats
		}
	}
	rows, cols := dec.u64(), dec.u64()
	if dec.err != nil {
		return nil, dec.fail(corrupt("%v", dec.err))
	}
	left := uint64(dec.left)
	if rows == 0 || cols == 0 || rows > left/8 || cols > left/8/rows || (rows*cols+rows)*8 != left {
		return nil, corrupt("%d×%d matrix does not match %d bytes of data", rows, cols, left)
	}
	d.Rows, d.Cols = int(rows), int(cols)
	d.X = make([]float64, d.Rows*d.Cols)
	dec.floats(d.X)
	d.Y = make([]float64, d.Rows)
	dec.floats(d.Y)
	want := dec.crc
	dec.left += 4 // the checksum itself, which it does not cover
	sum := dec.bytes(4)
	if dec.err != nil {
		return nil, dec.fail(corrupt("%v", dec.err))
	}
	if want != binary.LittleEndian.Uint32(sum) {
		return nil, corrupt("checksum mismatch (truncated or damaged)")
	}
	var one [1]byte
	if n, err := io.ReadFull(r, one[:]); n > 0 {
		return nil, corrupt("more than the %d bytes expected", size)
	} else if err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, fmt.Errorf("datasets: decode: read: %w", err)
	}
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("datasets: decode: %w: %w", ErrCorrupt, err)
	}
	return d, nil
}

// streamDecoder reads from r, which has left bytes of the encoding to
// give, keeping the running CRC of the off bytes it has read; the first
// failure sticks in err.
type streamDecoder struct {
	r    io.Reader
	left int64
	off  int64
	buf  []byte
	crc  uint32
	err  error
	io   bool // err is a read error of r, not the input's shape
}

// fail returns err, or the read error that caused it: a failing reader is
// not a corrupt dataset.
func (d *streamDecoder) fail(err error) error {
	if d.io {
		return fmt.Errorf("datasets: decode: read: %w", d.err)
	}
	return err
}

// bytes returns the next n bytes (n no more than cap(buf)), valid until
// the next call.
func (d *streamDecoder) bytes(n int) []byte {
	if d.err != nil {
		return nil
	}
	if int64(n) > d.left {
		d.err = fmt.Errorf("truncated at byte %d: need %d more", d.off, n)
		return nil
	}
	b := d.buf[:n]
	if _, err := io.ReadFull(d.r, b); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			d.err = fmt.Errorf("truncated at byte %d", d.off)
		} else {
			d.err, d.io = err, true
		}
		return nil
	}
	d.left -= int64(n)
	d.off += int64(n)
	d.crc = crc32.Update(d.crc, castagnoli, b)
	return b
}

func (d *streamDecoder) u32() uint32 {
	if b := d.bytes(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (d *streamDecoder) u64() uint64 {
	if b := d.bytes(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func (d *streamDecoder) str() string {
	n := d.u32()
	if d.err == nil && int64(n) > d.left {
		d.err = fmt.Errorf("truncated: a string of %d bytes with %d left", n, d.left)
	}
	if d.err != nil || n == 0 {
		return ""
	}
	var s []byte
	for n > 0 {
		k := min(int(n), cap(d.buf))
		b := d.bytes(k)
		if b == nil {
			return ""
		}
		s = append(s, b...)
		n -= uint32(k)
	}
	return string(s)
}

func (d *streamDecoder) strs() []string {
	n := d.u32()
	if n == 0 || d.err != nil {
		return nil
	}
	if 4*int64(n) > d.left { // each string takes at least 4 bytes
		d.err = fmt.Errorf("truncated: %d strings with %d bytes left", n, d.left)
		return nil
	}
	list := make([]string, n)
	for i := range list {
		list[i] = d.str()
	}
	return list
}

// floats fills xs from the input, a buffer at a time.
func (d *streamDecoder) floats(xs []float64) {
	per := cap(d.buf) / 8
	for len(xs) > 0 && d.err == nil {
		n := min(len(xs), per)
		b := d.bytes(8 * n)
		if b == nil {
			return
		}
		for i := range xs[:n] {
			xs[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
		}
		xs = xs[n:]
	}
}
