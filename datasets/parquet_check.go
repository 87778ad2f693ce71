package datasets

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"

	"github.com/hpsearch/hpsearch/trial"
)

// The parquet library trusts the sizes a file declares: it allocates a
// footer, a list or a byte string of the declared length before reading
// it, and a page of the declared size before checking it against the
// column chunk. A few hundred crafted bytes could so make it allocate
// gigabytes, which no recover can catch. checkParquetFooter and
// checkParquetPages walk the same bytes first, without allocating by
// declared sizes, and refuse a file whose declarations do not fit in it.
const (
	// maxParquetFooterBytes bounds the file metadata (64 MiB).
	maxParquetFooterBytes = 64 << 20
	// parquetMetadataAlloc and parquetMetadataAllocPerByte bound what
	// decoding the file metadata may allocate: 64 MiB plus 32 bytes per
	// byte of metadata, estimated as 640 bytes per struct in a list (the
	// largest, a column chunk, takes 560) and 32 per other list element.
	// Real metadata spends tens of bytes on each column chunk, so only
	// metadata crafted to inflate is refused.
	parquetMetadataAlloc        = 64 << 20
	parquetMetadataAllocPerByte = 32
	// maxParquetPageBytes bounds one page, compressed or not (256 MiB).
	maxParquetPageBytes = 256 << 20
	// maxParquetPageHeaderBytes bounds one page header (1 MiB).
	maxParquetPageHeaderBytes = 1 << 20
	// maxThriftDepth bounds the nesting of structs and lists, which the
	// library decodes and skips by recursion.
	maxThriftDepth = 32
)

// errThriftTruncated is returned by the walker when the bytes end before
// the value does.
var errThriftTruncated = errors.New("truncated metadata")

// Thrift compact protocol types.
const (
	tBoolTrue  = 1
	tBoolFalse = 2
	tByte      = 3
	tI16       = 4
	tI32       = 5
	tI64       = 6
	tDouble    = 7
	tBinary    = 8
	tList      = 9
	tSet       = 10
	tMap       = 11
	tStruct    = 12
)

// thriftWalker checks that b holds well-formed compact-protocol thrift
// whose declared lengths fit in the bytes that follow them, and estimates
// what decoding it allocates.
type thriftWalker struct {
	b     []byte
	off   int
	alloc int64 // estimated bytes a decoder allocates for lists
	// window is set when b is the start of the input, not all of it: a
	// length beyond b is then reported as errThriftTruncated.
	window bool
}

func (w *thriftWalker) byte() (byte, error) {
	if w.off >= len(w.b) {
		return 0, errThriftTruncated
	}
	c := w.b[w.off]
	w.off++
	return c, nil
}

func (w *thriftWalker) varint() (uint64, error) {
	v, n := binary.Uvarint(w.b[w.off:])
	switch {
	case n == 0:
		return 0, errThriftTruncated
	case n < 0:
		return 0, errors.New("malformed varint")
	}
	w.off += n
	return v, nil
}

// length reads a declared count of items each at least min bytes long and
// checks that they can fit in the rest of the input.
func (w *thriftWalker) length(min int) (int, error) {
	n, err := w.varint()
	if err != nil {
		return 0, err
	}
	if n > uint64(len(w.b)-w.off)/uint64(min) {
		if w.window {
			return 0, errThriftTruncated
		}
		return 0, fmt.Errorf("declares %d items or bytes where %d bytes remain", n, len(w.b)-w.off)
	}
	return int(n), nil
}

func (w *thriftWalker) skip(n int) error {
	if n > len(w.b)-w.off {
		return errThriftTruncated
	}
	w.off += n
	return nil
}

// structure walks a struct up to and including its stop byte.
func (w *thriftWalker) structure(depth int) error {
	if depth > maxThriftDepth {
		return fmt.Errorf("metadata nested more than %d deep", maxThriftDepth)
	}
	for {
		h, err := w.byte()
		if err != nil {
			return err
		}
		if h == 0 {
			return nil
		}
		if h>>4 == 0 { // long form: the field id follows
			if _, err := w.varint(); err != nil {
				return err
			}
		}
		switch t := h & 0x0F; t {
		case tBoolTrue, tBoolFalse: // the value is in the type
		default:
			if err := w.value(t, depth+1); err != nil {
				return err
			}
		}
	}
}

// value walks one value of compact type t.
func (w *thriftWalker) value(t byte, depth int) error {
	switch t {
	case tBoolTrue, tBoolFalse, tByte:
		return w.skip(1)
	case tI16, tI32, tI64:
		_, err := w.varint()
		return err
	case tDouble:
		return w.skip(8)
	case tBinary:
		n, err := w.length(1)
		if err != nil {
			return err
		}
		return w.skip(n)
	case tList, tSet:
		h, err := w.byte()
		if err != nil {
			return err
		}
		n, elem := int(h>>4), h&0x0F
		if n == 15 {
			if n, err = w.length(1); err != nil {
				return err
			}
		} else if n > len(w.b)-w.off {
			return errThriftTruncated
		}
		return w.elements(n, elem, depth)
	case tMap:
		n, err := w.length(2)
		if err != nil || n == 0 {
			return err
		}
		kv, err := w.byte()
		if err != nil {
			return err
		}
		for range n {
			if err := w.value(kv>>4, depth+1); err != nil {
				return err
			}
			if err := w.value(kv&0x0F, depth+1); err != nil {
				return err
			}
		}
		return nil
	case tStruct:
		return w.structure(depth)
	}
	return fmt.Errorf("unknown thrift type %d", t)
}

func (w *thriftWalker) elements(n int, elem byte, depth int) error {
	if depth > maxThriftDepth {
		return fmt.Errorf("metadata nested more than %d deep", maxThriftDepth)
	}
	per := int64(32)
	if elem == tStruct {
		per = 640
	}
	w.alloc += int64(n) * per
	for range n {
		if err := w.value(elem, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// parquetFooter checks the footer of the size-byte Parquet file in r: the
// magic bytes, a footer length that fits in the file, and metadata whose
// declarations fit in the footer and do not make decoding allocate more
// than the metadata budget. Only then may the parquet library open it.
func checkParquetFooter(r io.ReaderAt, size int64, path string) error {
	bad := func(format string, args ...any) error {
		return &trial.InputError{File: path, Msg: "not a valid Parquet file: " + fmt.Sprintf(format, args...)}
	}
	if size < 12 {
		return bad("%d bytes, too short", size)
	}
	var tail [8]byte
	if _, err := r.ReadAt(tail[:], size-8); err != nil {
		return fmt.Errorf("datasets: read parquet %s: %w", path, err)
	}
	switch string(tail[4:]) {
	case "PAR1":
	case "PARE":
		return bad("encrypted Parquet files are not supported")
	default:
		return bad("no PAR1 magic bytes at the end")
	}
	n := int64(binary.LittleEndian.Uint32(tail[:4]))
	if n > size-12 {
		return bad("footer of %d bytes in a file of %d", n, size)
	}
	if n > maxParquetFooterBytes {
		return limitError(path, 0, "", "Parquet footer is %d bytes, more than the limit of %s", n, byteSize(maxParquetFooterBytes))
	}
	footer := make([]byte, n)
	if _, err := r.ReadAt(footer, size-8-n); err != nil {
		return fmt.Errorf("datasets: read parquet %s: %w", path, err)
	}
	w := thriftWalker{b: footer}
	if err := w.structure(0); err != nil {
		return bad("file metadata: %v", err)
	}
	if budget := parquetMetadataAlloc + parquetMetadataAllocPerByte*n; w.alloc > budget {
		return bad("the %d bytes of metadata declare lists that would take %d bytes to decode", n, w.alloc)
	}
	return nil
}

// checkParquetPages walks the page headers of every column chunk, as the
// parquet library will read them, and checks that each page fits in its
// column chunk, that no page is larger than maxParquetPageBytes
// compressed or not, that no data page holds more values than its row
// group has rows (true of the flat columns ReadParquet reads), and that
// the row groups' rows add up to the file's.
func checkParquetPages(r io.ReaderAt, size int64, md *format.FileMetaData, path string) error {
	bad := func(format string, args ...any) error {
		return &trial.InputError{File: path, Msg: "not a valid Parquet file: " + fmt.Sprintf(format, args...)}
	}
	var proto thrift.CompactProtocol
	var codec pageCodec
	defer codec.close()
	var rows int64
	for g := range md.RowGroups {
		rg := &md.RowGroups[g]
		if rg.NumRows < 0 || rg.NumRows > md.NumRows-rows {
			return bad("row group %d has %d rows, the file %d in all", g, rg.NumRows, md.NumRows)
		}
		rows += rg.NumRows
		for c := range rg.Columns {
			cm := &rg.Columns[c].MetaData
			start := cm.DataPageOffset
			if cm.DictionaryPageOffset != 0 {
				start = cm.DictionaryPageOffset
			}
			if start < 0 || start > size || cm.TotalCompressedSize < 0 || cm.TotalCompressedSize > size-start {
				return bad("row group %d column %d: %d bytes at offset %d do not fit in the file's %d bytes",
					g, c, cm.TotalCompressedSize, start, size)
			}
			end := start + cm.TotalCompressedSize
			for pos := start; pos < end; {
				h, n, err := readPageHeader(r, pos, end, &proto)
				if err != nil {
					var ie *trial.InputError
					if errors.As(err, &ie) {
						return err
					}
					return bad("row group %d column %d: page header at offset %d: %v", g, c, pos, err)
				}
				pos += n
				what := fmt.Sprintf("row group %d column %d: page at offset %d", g, c, pos)
				switch {
				case h.CompressedPageSize < 0 || int64(h.CompressedPageSize) > end-pos:
					return bad("%s: %d bytes do not fit in its column chunk", what, h.CompressedPageSize)
				case h.UncompressedPageSize < 0:
					return bad("%s: uncompressed size %d", what, h.UncompressedPageSize)
				case h.CompressedPageSize > maxParquetPageBytes || h.UncompressedPageSize > maxParquetPageBytes:
					return limitError(path, 0, "", "%s: %d bytes (%d uncompressed), more than the limit of %s per page",
						what, h.CompressedPageSize, h.UncompressedPageSize, byteSize(maxParquetPageBytes))
				}
				if v := pageValues(h); v < 0 || v > rg.NumRows {
					return bad("%s: %d values in a row group of %d rows", what, v, rg.NumRows)
				}
				if d := h.DictionaryPageHeader; d.Valid && (d.V.NumValues < 0 || d.V.NumValues > h.UncompressedPageSize) {
					return bad("%s: dictionary of %d values in %d bytes", what, d.V.NumValues, h.UncompressedPageSize)
				}
				if err := checkPageData(&codec, cm.Codec, r, pos, h); err != nil {
					var ie *trial.InputError
					if errors.As(err, &ie) {
						return err
					}
					return bad("%s: %v", what, err)
				}
				pos += int64(h.CompressedPageSize)
			}
		}
	}
	if rows != md.NumRows {
		return bad("the row groups have %d rows, the file %d", rows, md.NumRows)
	}
	return nil
}

// pageValues returns the most values or rows a data page header declares.
func pageValues(h *format.PageHeader) int64 {
	var n int64
	if d := h.DataPageHeader; d.Valid {
		n = int64(d.V.NumValues)
	}
	if d := h.DataPageHeaderV2; d.Valid {
		if d.V.NumValues < 0 || d.V.NumNulls < 0 || d.V.NumRows < 0 {
			return -1
		}
		n = max(n, int64(d.V.NumValues), int64(d.V.NumRows), int64(d.V.NumNulls))
	}
	return n
}

// readPageHeader reads the page header at pos, which must end before end,
// and returns it with its length in bytes. It reads a small window first
// and widens it only when the header runs past it.
func readPageHeader(r io.ReaderAt, pos, end int64, proto *thrift.CompactProtocol) (*format.PageHeader, int64, error) {
	for window := int64(4 << 10); ; window *= 4 {
		window = min(window, end-pos, maxParquetPageHeaderBytes)
		b := make([]byte, window)
		if _, err := r.ReadAt(b, pos); err != nil {
			return nil, 0, err
		}
		more := window < min(end-pos, maxParquetPageHeaderBytes)
		w := thriftWalker{b: b, window: more}
		err := w.structure(0)
		if errors.Is(err, errThriftTruncated) && more {
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		h := new(format.PageHeader)
		if err := thrift.Unmarshal(proto, b[:w.off], h); err != nil {
			return nil, 0, err
		}
		return h, int64(w.off), nil
	}
}

// checkPageData checks the compressed data of the page with header h at
// pos, as the parquet library will decompress it: a version 2 data page
// has its levels uncompressed in front, and may not be compressed at all.
func checkPageData(c *pageCodec, codec format.CompressionCodec, r io.ReaderAt, pos int64, h *format.PageHeader) error {
	n := h.CompressedPageSize
	if v2 := h.DataPageHeaderV2; v2.Valid {
		if v2.V.IsCompressed.Valid && !v2.V.IsCompressed.V {
			return nil
		}
		levels := int64(v2.V.RepetitionLevelsByteLength) + int64(v2.V.DefinitionLevelsByteLength)
		if levels < 0 || levels > int64(n) {
			return fmt.Errorf("%d bytes of levels in a page of %d", levels, n)
		}
		pos += levels
		n -= int32(levels)
	}
	return c.check(codec, r, pos, n, h.UncompressedPageSize)
}
