package datasets

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"

	"github.com/hpsearch/hpsearch/trial"
)

// The binary form of a Dataset, all integers little-endian:
//
//	"HPDS" | version uint16 | reserved uint16
//	Name | Target | Task                   strings: uint32 length + bytes
//	uint32 n | n feature names
//	uint32 k | k class labels
//	Rows uint64 | Cols uint64
//	X: Rows*Cols float64 | Y: Rows float64
//	CRC-32C (Castagnoli) of everything before, uint32
const (
	binaryMagic   = "HPDS"
	binaryVersion = 1
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
	e.buf = binary.LittleEndian.AppendUint16(e.buf, 0)
	e.str(d.Name)
	e.str(d.Target)
	e.str(string(d.Task))
	for _, list := range [][]string{d.Features, d.Classes} {
		e.buf = binary.LittleEndian.AppendUint32(e.buf, uint32(len(list)))
		for _, s := range list {
			e.str(s)
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
	corrupt := func(format string, args ...any) error {
		return fmt.Errorf("datasets: unmarshal: %w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
	}
	if len(b) < 8+4 || string(b[:4]) != binaryMagic {
		return nil, corrupt("not an HPDS dataset")
	}
	if v := binary.LittleEndian.Uint16(b[4:]); v != binaryVersion {
		return nil, corrupt("version %d, want %d", v, binaryVersion)
	}
	if binary.LittleEndian.Uint16(b[6:]) != 0 {
		return nil, corrupt("reserved header bytes are not zero")
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, corrupt("checksum mismatch (truncated or damaged)")
	}
	dec := decoder{b: body, off: 8}
	d := &Dataset{Name: dec.str(), Target: dec.str(), Task: trial.Task(dec.str())}
	d.Features = dec.strs()
	d.Classes = dec.strs()
	rows, cols := dec.u64(), dec.u64()
	if dec.err != nil {
		return nil, corrupt("%v", dec.err)
	}
	left := uint64(len(body) - dec.off)
	if rows == 0 || cols == 0 || rows > left/8 || cols > left/8/rows || (rows*cols+rows)*8 != left {
		return nil, corrupt("%d×%d matrix does not match %d bytes of data", rows, cols, left)
	}
	d.Rows, d.Cols = int(rows), int(cols)
	d.X = dec.floats(d.Rows * d.Cols)
	d.Y = dec.floats(d.Rows)
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("datasets: unmarshal: %w: %w", ErrCorrupt, err)
	}
	return d, nil
}

// decoder reads from b at off; the first failure sticks in err.
type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) need(n uint64) bool {
	if d.err == nil && n > uint64(len(d.b)-d.off) {
		d.err = fmt.Errorf("truncated at byte %d: need %d more", d.off, n)
	}
	return d.err == nil
}

func (d *decoder) u32() uint32 {
	if !d.need(4) {
		return 0
	}
	v := binary.LittleEndian.Uint32(d.b[d.off:])
	d.off += 4
	return v
}

func (d *decoder) u64() uint64 {
	if !d.need(8) {
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b[d.off:])
	d.off += 8
	return v
}

func (d *decoder) str() string {
	n := d.u32()
	if !d.need(uint64(n)) {
		return ""
	}
	s := string(d.b[d.off : d.off+int(n)])
	d.off += int(n)
	return s
}

func (d *decoder) strs() []string {
	n := d.u32()
	if n == 0 || !d.need(4*uint64(n)) { // each string takes at least 4 bytes
		return nil
	}
	list := make([]string, n)
	for i := range list {
		list[i] = d.str()
	}
	return list
}

func (d *decoder) floats(n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = math.Float64frombits(binary.LittleEndian.Uint64(d.b[d.off:]))
		d.off += 8
	}
	return xs
}
