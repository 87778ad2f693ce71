package datasets

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"

	"github.com/hpsearch/hpsearch/trial"
)

// loadAndColumns calls Load and Columns on path and returns both errors.
func loadAndColumns(path string) []error {
	_, lerr := Load(path, Options{})
	_, cerr := Columns(path)
	return []error{lerr, cerr}
}

// throughFIFO calls load on the named pipe path. Without a non-blocking
// open, load would block until a writer comes; this helper is that
// writer, so such a loader reads an empty file instead of hanging the
// test. Afterwards it opens the pipe for reading, which releases the
// writer if the loader never opened it.
func throughFIFO(t *testing.T, path string, load func() []error) []error {
	t.Helper()
	writer := make(chan struct{})
	go func() {
		defer close(writer)
		if w, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
			w.Close()
		}
	}()
	errs := load()
	r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	<-writer
	r.Close()
	return errs
}

func TestLoadRefusesNonRegularFiles(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		make func(path string) error // creates path, or skips
		want string
	}{
		{"fifo", func(p string) error { return syscall.Mkfifo(p, 0o600) }, "named pipe"},
		{"directory", func(p string) error { return os.Mkdir(p, 0o700) }, "directory"},
		{"dev zero through a symlink", func(p string) error {
			if _, err := os.Stat("/dev/zero"); err != nil {
				t.Skip("no /dev/zero")
			}
			return os.Symlink("/dev/zero", p)
		}, "character device"},
		{"socket", func(p string) error {
			l, err := net.Listen("unix", p)
			if err != nil {
				t.Skipf("cannot make a socket: %v", err)
			}
			t.Cleanup(func() { l.Close() })
			return nil
		}, "socket"},
	}
	for i, tt := range tests {
		for _, ext := range []string{".csv", ".parquet"} {
			t.Run(tt.name+ext, func(t *testing.T) {
				path := filepath.Join(dir, fmt.Sprintf("%d%s", i, ext))
				if err := tt.make(path); err != nil {
					t.Fatal(err)
				}
				var errs []error
				if tt.name == "fifo" {
					errs = throughFIFO(t, path, func() []error { return loadAndColumns(path) })
				} else {
					errs = loadAndColumns(path)
				}
				for j, err := range errs {
					var ie *trial.InputError
					if !errors.As(err, &ie) || !errors.Is(err, ErrNotRegular) || ie.File != path ||
						!strings.Contains(err.Error(), tt.want) {
						t.Errorf("%s: %v; want an ErrNotRegular InputError naming %s and saying %q",
							[]string{"Load", "Columns"}[j], err, path, tt.want)
					}
				}
			})
		}
	}
	t.Run("symlink to a regular file", func(t *testing.T) {
		path := filepath.Join(dir, "link.csv")
		target := filepath.Join(dir, "data.txt")
		if err := os.WriteFile(target, []byte("a,y\n1,x\n2,z\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, path); err != nil {
			t.Fatal(err)
		}
		if d, err := Load(path, Options{}); err != nil || d.Rows != 2 {
			t.Errorf("Load through a symlink: %v", err)
		}
	})
}

// zeros is an endless reader of NUL bytes, like /dev/zero.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// repeatLines is an endless reader of one line.
type repeatLines struct {
	line string
	off  int
}

func (r *repeatLines) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], r.line[r.off:])
		n += k
		r.off = (r.off + k) % len(r.line)
	}
	return n, nil
}

// wideLine returns a CSV line of n bytes, newline included, of cells of at
// most MaxCellBytes, and the header for it.
func wideLine(n int) (header, line string) {
	cell := MaxCellBytes / 2
	cols := n/(cell+1) + 1
	var h, l strings.Builder
	for j := range cols {
		if j > 0 {
			h.WriteByte(',')
			l.WriteByte(',')
		}
		fmt.Fprintf(&h, "c%d", j)
		w := min(cell, n-l.Len()-1-(cols-1-j)) // leave a byte per later cell
		l.WriteString(strings.Repeat("x", max(w, 1)))
	}
	l.WriteByte('\n')
	return h.String() + "\n", l.String()
}

func TestReadCSVLimits(t *testing.T) {
	long := strings.Repeat("x", MaxCellBytes+1)
	header, atLimit := wideLine(MaxLineBytes)
	_, overLimit := wideLine(MaxLineBytes + 1)
	if len(atLimit) != MaxLineBytes || len(overLimit) != MaxLineBytes+1 {
		t.Fatalf("wideLine: %d and %d bytes", len(atLimit), len(overLimit))
	}
	var manyCols strings.Builder
	for j := range MaxColumns + 1 {
		fmt.Fprintf(&manyCols, "c%d,", j)
	}
	var ids strings.Builder // a unique string per row: one-hot makes rows×rows cells
	ids.WriteString("id,y\n")
	for i := range 23200 {
		fmt.Fprintf(&ids, "id%d,%d\n", i, i%2)
	}
	tests := []struct {
		name  string
		in    io.Reader
		opts  Options
		line  int
		field string
		want  string // "" means: no limit is exceeded
	}{
		{"endless NUL bytes", zeros{}, Options{}, 1, "", "datasets.MaxLineBytes"},
		{"line over the limit", strings.NewReader(header + overLimit), Options{}, 2, "", "datasets.MaxLineBytes"},
		{"line at the limit", strings.NewReader(header + atLimit), Options{}, 0, "", ""},
		{"record of many short lines", strings.NewReader("a,y\n1,\"" + strings.Repeat("abc\n", MaxLineBytes/4) + "\"\n"),
			Options{}, 2, "", "datasets.MaxLineBytes"},
		{"cell over the limit", strings.NewReader("a,y\n1,x\n" + long + ",z\n"), Options{}, 3, "a", "datasets.MaxCellBytes"},
		{"quoted cell over the limit", strings.NewReader("a,y\n\"" + strings.Repeat("ab\n", MaxCellBytes/3+1) + "\",z\n"),
			Options{}, 2, "a", "datasets.MaxCellBytes"},
		{"cell at the limit", strings.NewReader("a,y\n1,x\n" + long[1:] + ",z\n"), Options{}, 0, "", ""},
		{"header name over the limit", strings.NewReader("a," + long + "\n1,2\n"), Options{}, 1, "column 2", "datasets.MaxCellBytes"},
		{"too many columns", strings.NewReader(manyCols.String() + "y\n"), Options{}, 1, "", "datasets.MaxColumns"},
		{"one-hot over the cell limit", strings.NewReader(ids.String()), Options{}, 0, "", "encoding: ordinal"},
		{"ordinal within it", strings.NewReader(ids.String()), Options{Encoding: Ordinal}, 0, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadCSV(tt.in, "big.csv", tt.opts)
			if tt.want == "" {
				if errors.Is(err, ErrLimit) {
					t.Errorf("ReadCSV: %v, want no limit exceeded", err)
				}
				return
			}
			var ie *trial.InputError
			if !errors.As(err, &ie) || !errors.Is(err, ErrLimit) || ie.File != "big.csv" ||
				(tt.line != 0 && ie.Line != tt.line) || ie.Field != tt.field || !strings.Contains(ie.Msg, tt.want) {
				t.Fatalf("ReadCSV: %v; want an ErrLimit InputError at big.csv:%d field %q naming %s", err, tt.line, tt.field, tt.want)
			}
			if strings.Contains(err.Error(), "xxxx") {
				t.Errorf("the error quotes the cell: %.200s", err)
			}
		})
	}
}

func TestCSVGuardStopsAtMaxFileSize(t *testing.T) {
	g := newCSVGuard(&repeatLines{line: "1,2\n"}, "huge.csv")
	g.total = MaxFileSize - 10 // as if the rest had been read
	n, err := io.Copy(io.Discard, g)
	if n != 10 || !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "datasets.MaxFileSize") {
		t.Errorf("read %d bytes, then %v; want 10 bytes, then the MaxFileSize limit", n, err)
	}
}

func TestLimitCSVRecordsLimitsRecordsNotTheInput(t *testing.T) {
	g := LimitCSVRecords(&repeatLines{line: "1,2\n"}, "stream.csv").(*csvGuard)
	g.total = MaxFileSize - 10 // as if the rest had been read
	if n, err := io.CopyN(io.Discard, g, 1<<20); n != 1<<20 || err != nil {
		t.Errorf("read %d bytes past MaxFileSize, then %v; want no limit on the whole input", n, err)
	}
	long := "a,b\n1,2\n\"" + strings.Repeat("x\n", MaxLineBytes/2) + "\",3\n"
	_, err := io.Copy(io.Discard, LimitCSVRecords(strings.NewReader(long), "stream.csv"))
	var ie *trial.InputError
	if !errors.As(err, &ie) || !errors.Is(err, ErrLimit) || ie.File != "stream.csv" || ie.Line != 3 ||
		!strings.Contains(ie.Msg, "datasets.MaxLineBytes") {
		t.Errorf("got %v; want an ErrLimit InputError at stream.csv:3 naming datasets.MaxLineBytes", err)
	}
}

// rewriteFooter returns the Parquet file b with its metadata changed by
// edit.
func rewriteFooter(tb testing.TB, b []byte, edit func(*format.FileMetaData)) []byte {
	tb.Helper()
	n := int(binary.LittleEndian.Uint32(b[len(b)-8:]))
	var md format.FileMetaData
	var proto thrift.CompactProtocol
	if err := thrift.Unmarshal(&proto, b[len(b)-8-n:len(b)-8], &md); err != nil {
		tb.Fatal(err)
	}
	edit(&md)
	footer, err := thrift.Marshal(&proto, &md)
	if err != nil {
		tb.Fatal(err)
	}
	out := append(bytes.Clone(b[:len(b)-8-n]), footer...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(footer)))
	return append(out, "PAR1"...)
}

func TestReadParquetHostile(t *testing.T) {
	type row struct {
		S string `parquet:"s"`
		Y int32  `parquet:"y"`
	}
	valid := encodeParquet(t, []row{{"a", 0}, {"b", 1}, {"a", 0}, {"b", 1}})
	file := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// A footer whose first field, the version, is followed by a schema
	// list declaring 2^31-1 elements: decoded as is, it would allocate
	// them all before finding the bytes missing.
	hugeList := []byte{0x15, 0x02, 0x19, 0xfc, 0xff, 0xff, 0xff, 0xff, 0x07, 0x00}
	footerOnly := append(append([]byte("PAR1"), hugeList...), binary.LittleEndian.AppendUint32(nil, uint32(len(hugeList)))...)
	footerOnly = append(footerOnly, "PAR1"...)
	// Metadata of one row group holding a million empty column chunks:
	// a megabyte the library would decode into 560 MB before finding the
	// chunks' required fields missing.
	inflated := []byte{0x49, 0x1c, 0x19, 0xfc}
	inflated = binary.AppendUvarint(inflated, 1_000_000)
	inflated = append(inflated, make([]byte, 1_000_000+2)...) // the chunks, then two stops
	inflated = append(append([]byte("PAR1"), inflated...), binary.LittleEndian.AppendUint32(nil, uint32(len(inflated)))...)
	inflated = append(inflated, "PAR1"...)
	tests := []struct {
		name  string
		b     []byte
		limit bool   // want ErrLimit
		want  string // in the message
	}{
		// Found by FuzzReadParquet: the parquet library panics with
		// "slice bounds out of range" opening its schema.
		{"schema that panics the library", file("schema-crash.parquet"), false, "the Parquet reader failed"},
		{"footer longer than the file", append(bytes.Clone(valid[:len(valid)-8]), 0xff, 0xff, 0xff, 0x0f, 'P', 'A', 'R', '1'), false, "footer of"},
		{"list longer than the footer", footerOnly, false, "declares 2147483647 items"},
		{"metadata that inflates", inflated, false, "would take"},
		{"billions of rows", rewriteFooter(t, valid, func(md *format.FileMetaData) {
			md.NumRows = 1 << 40
			md.RowGroups[0].NumRows = 1 << 40
		}), true, "datasets.MaxCells"},
		{"row groups that do not add up", rewriteFooter(t, valid, func(md *format.FileMetaData) {
			md.RowGroups[0].NumRows = 1 << 20
		}), false, "rows"},
		{"column chunk beyond the file", rewriteFooter(t, valid, func(md *format.FileMetaData) {
			md.RowGroups[0].Columns[0].MetaData.TotalCompressedSize = 1 << 40
		}), false, "do not fit in the file"},
		{"column name over the cell limit", rewriteFooter(t, valid, func(md *format.FileMetaData) {
			md.Schema[1].Name = strings.Repeat("x", MaxCellBytes+1)
		}), true, "datasets.MaxCellBytes"},
		{"string over the cell limit", encodeParquet(t, []row{{"a", 0}, {strings.Repeat("x", MaxCellBytes+1), 1}}),
			true, "datasets.MaxCellBytes"},
	}
	dir := t.TempDir()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("%d.parquet", i))
			if err := os.WriteFile(path, tt.b, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path, Options{})
			var ie *trial.InputError
			if !errors.As(err, &ie) || ie.File != path || errors.Is(err, ErrLimit) != tt.limit ||
				!strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load: %v; want an InputError naming %s and saying %q (limit %v)", err, path, tt.want, tt.limit)
			}
		})
	}
	t.Run("Columns recovers too", func(t *testing.T) {
		path := filepath.Join(dir, "schema-crash.parquet")
		if err := os.WriteFile(path, file("schema-crash.parquet"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Columns(path)
		var ie *trial.InputError
		if !errors.As(err, &ie) || ie.File != path {
			t.Errorf("Columns: %v; want an InputError naming %s", err, path)
		}
	})
	t.Run("bad page index is not read", func(t *testing.T) {
		// The second column's page index claims to start before the
		// first's, which makes the parquet library's page index reader
		// panic with "slice bounds out of range"; the loader needs no page
		// index and reads the data, which is sound.
		d, err := readParquet(bytes.NewReader(file("pageindex-crash.parquet")), 504, "pageindex-crash.parquet", Options{})
		if err != nil || d.Rows != 4 || d.Cols != 1 {
			t.Errorf("readParquet: %v", err)
		}
	})
}

func TestParquetBoundaryRecovers(t *testing.T) {
	_, err := parquetBoundary(bytes.NewReader(nil), "p.parquet", func(io.ReaderAt) (int, error) {
		var s []int
		return s[3], nil // index out of range
	})
	var ie *trial.InputError
	if !errors.As(err, &ie) || ie.File != "p.parquet" || !strings.Contains(ie.Msg, "index out of range") {
		t.Errorf("parquetBoundary: %v; want an InputError naming p.parquet", err)
	}
}

// failingReaderAt fails every read, as a broken disk would.
type failingReaderAt struct{}

func (failingReaderAt) ReadAt([]byte, int64) (int, error) { return 0, syscall.EIO }

func TestReadParquetIOErrorIsNotBadInput(t *testing.T) {
	_, err := readParquet(failingReaderAt{}, 1000, "p.parquet", Options{})
	if err == nil || errors.Is(err, trial.ErrBadInput) || !errors.Is(err, syscall.EIO) {
		t.Errorf("readParquet: %v; want the I/O error, not bad input", err)
	}
}

// rewritePages returns the Parquet file b with every page header passed
// through edit (with the column's index) and the file laid out again
// around the new headers. The page index is dropped.
func rewritePages(tb testing.TB, b []byte, edit func(col int, h *format.PageHeader)) []byte {
	tb.Helper()
	n := int(binary.LittleEndian.Uint32(b[len(b)-8:]))
	var md format.FileMetaData
	var proto thrift.CompactProtocol
	if err := thrift.Unmarshal(&proto, b[len(b)-8-n:len(b)-8], &md); err != nil {
		tb.Fatal(err)
	}
	out := []byte("PAR1")
	for g := range md.RowGroups {
		for c := range md.RowGroups[g].Columns {
			cc := &md.RowGroups[g].Columns[c]
			cm := &cc.MetaData
			pos := cm.DataPageOffset
			if cm.DictionaryPageOffset != 0 {
				pos = cm.DictionaryPageOffset
			}
			end := pos + cm.TotalCompressedSize
			start := int64(len(out))
			cm.DictionaryPageOffset, cm.DataPageOffset = 0, 0
			for pos < end {
				h, hn, err := readPageHeader(bytes.NewReader(b), pos, end, &proto)
				if err != nil {
					tb.Fatal(err)
				}
				data := b[pos+hn : pos+hn+int64(h.CompressedPageSize)]
				pos += hn + int64(h.CompressedPageSize)
				switch {
				case h.Type == format.DictionaryPage:
					cm.DictionaryPageOffset = int64(len(out))
				case cm.DataPageOffset == 0:
					cm.DataPageOffset = int64(len(out))
				}
				edit(c, h)
				hb, err := thrift.Marshal(&proto, h)
				if err != nil {
					tb.Fatal(err)
				}
				out = append(append(out, hb...), data...)
			}
			cm.TotalCompressedSize = int64(len(out)) - start
			cc.FileOffset = start
			cc.ColumnIndexOffset, cc.ColumnIndexLength, cc.OffsetIndexOffset, cc.OffsetIndexLength = 0, 0, 0, 0
		}
	}
	footer, err := thrift.Marshal(&proto, &md)
	if err != nil {
		tb.Fatal(err)
	}
	out = append(out, footer...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(footer)))
	return append(out, "PAR1"...)
}

// codecs are the compressions the parquet library reads.
var codecs = []struct {
	name  string
	codec compress.Codec
}{
	{"uncompressed", &parquet.Uncompressed}, {"snappy", &parquet.Snappy}, {"gzip", &parquet.Gzip},
	{"brotli", &parquet.Brotli}, {"zstd", &parquet.Zstd}, {"lz4", &parquet.Lz4Raw},
}

// codecRows compress well, so a page header that understates the
// uncompressed size is far off.
type codecRow struct {
	X float64 `parquet:"x"`
	Y int32   `parquet:"y"`
}

func codecRows() []codecRow {
	rows := make([]codecRow, 2000)
	for i := range rows {
		rows[i] = codecRow{float64(i % 10), int32(i % 2)}
	}
	return rows
}

func TestReadParquetCodecs(t *testing.T) {
	want, err := readParquetBytes(encodeParquet(t, codecRows()))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range codecs {
		t.Run(c.name, func(t *testing.T) {
			b := encodeParquet(t, codecRows(), parquet.Compression(c.codec))
			got, err := readParquetBytes(b)
			if err != nil {
				t.Fatalf("sound file refused: %v", err)
			}
			if !slices.Equal(got.X, want.X) || !slices.Equal(got.Y, want.Y) {
				t.Error("data differs from the uncompressed file")
			}
			if c.name == "uncompressed" {
				return
			}
			// Every page header now understates what its page
			// decompresses to, which the library would allocate as it
			// went (or, for a corrupt LZ4 block, without end).
			small := rewritePages(t, b, func(_ int, h *format.PageHeader) { h.UncompressedPageSize = 8 })
			_, err = readParquetBytes(small)
			var ie *trial.InputError
			if !errors.As(err, &ie) || ie.File != "p.parquet" {
				t.Errorf("understated page: %v, want bad input", err)
			}
		})
	}
}

func TestReadParquetPageLimits(t *testing.T) {
	b := encodeParquet(t, codecRows(), parquet.Compression(&parquet.Snappy))
	tests := []struct {
		name  string
		edit  func(col int, h *format.PageHeader)
		limit bool
		want  string
	}{
		{"page over the size limit", func(_ int, h *format.PageHeader) { h.UncompressedPageSize = maxParquetPageBytes + 1 }, true, "per page"},
		{"page beyond its chunk", func(_ int, h *format.PageHeader) { h.CompressedPageSize = 1 << 30 }, false, "do not fit in its column chunk"},
		{"more values than rows", func(_ int, h *format.PageHeader) {
			if h.DataPageHeader.Valid {
				h.DataPageHeader.V.NumValues = 1 << 30
			}
			if h.DataPageHeaderV2.Valid {
				h.DataPageHeaderV2.V.NumValues = 1 << 30
			}
		}, false, "values in a row group of 2000 rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readParquetBytes(rewritePages(t, b, tt.edit))
			var ie *trial.InputError
			if !errors.As(err, &ie) || ie.File != "p.parquet" || errors.Is(err, ErrLimit) != tt.limit ||
				!strings.Contains(err.Error(), tt.want) {
				t.Errorf("readParquet: %v; want bad input saying %q (limit %v)", err, tt.want, tt.limit)
			}
		})
	}
	if _, err := readParquetBytes(rewritePages(t, b, func(int, *format.PageHeader) {})); err != nil {
		t.Errorf("rewritePages without edits: %v", err)
	}
}

func readParquetBytes(b []byte) (*Dataset, error) {
	return readParquet(bytes.NewReader(b), int64(len(b)), "p.parquet", Options{})
}
