package datasets

// The record parsing below is adapted from Go's encoding/csv (Copyright
// 2011 The Go Authors, BSD-style licence), restricted to the options the
// loader uses: comma-separated, no comments, TrimLeadingSpace, strict
// quotes, any number of fields per record.

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// csvRecords reads CSV records as encoding/csv's Reader does with
// TrimLeadingSpace and FieldsPerRecord -1 — the same fields, the same
// *csv.ParseError values, the same FieldPos and InputOffset — but without
// allocating per record: the strings Read returns are views of a buffer
// reused by the next Read. A loader of a million rows so makes no garbage
// of the size of its input, which would otherwise have the resident set
// grow by up to the size of the dataset before the collector runs.
type csvRecords struct {
	r *bufio.Reader

	numLine int   // lines read
	offset  int64 // bytes read

	rawBuffer      []byte   // a line longer than the bufio buffer
	recordBuffer   []byte   // the unquoted fields of the record, end to end
	fieldIndexes   []int    // the end of each field in recordBuffer
	fieldPositions []csvPos // where each field started
	record         []string // views of recordBuffer
}

// csvPos is a 1-based line and column (in bytes) of the input.
type csvPos struct{ line, col int }

func newCSVRecords(r io.Reader) *csvRecords {
	return &csvRecords{r: bufio.NewReaderSize(r, 256<<10)}
}

// Read returns the next record, or io.EOF at the end of the input. Its
// strings are valid only until the next call: a caller that keeps one
// must clone it.
func (r *csvRecords) Read() ([]string, error) {
	err := r.readRecord()
	if err != nil && err != io.EOF {
		return nil, err
	}
	return r.record, err
}

// FieldPos returns the line and column at which field i of the record
// last read started, as csv.Reader.FieldPos.
func (r *csvRecords) FieldPos(i int) (line, column int) {
	p := r.fieldPositions[i]
	return p.line, p.col
}

// InputOffset returns the bytes read so far, as csv.Reader.InputOffset.
func (r *csvRecords) InputOffset() int64 { return r.offset }

func (r *csvRecords) readLine() ([]byte, error) {
	line, err := r.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.rawBuffer = append(r.rawBuffer[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = r.r.ReadSlice('\n')
			r.rawBuffer = append(r.rawBuffer, line...)
		}
		line = r.rawBuffer
	}
	readSize := len(line)
	if readSize > 0 && err == io.EOF {
		err = nil
		// Drop a trailing \r before EOF.
		if line[readSize-1] == '\r' {
			line = line[:readSize-1]
		}
	}
	r.numLine++
	r.offset += int64(readSize)
	// Normalize \r\n to \n.
	if n := len(line); n >= 2 && line[n-2] == '\r' && line[n-1] == '\n' {
		line[n-2] = '\n'
		line = line[:n-1]
	}
	return line, err
}

func (r *csvRecords) readRecord() error {
	r.record = r.record[:0]
	// Read a line, skipping empty lines.
	var line []byte
	var errRead error
	for errRead == nil {
		line, errRead = r.readLine()
		if errRead == nil && len(line) == lengthNL(line) {
			line = nil
			continue
		}
		break
	}
	if errRead == io.EOF {
		return errRead
	}

	var err error
	recLine := r.numLine
	r.recordBuffer = r.recordBuffer[:0]
	r.fieldIndexes = r.fieldIndexes[:0]
	r.fieldPositions = r.fieldPositions[:0]
	pos := csvPos{line: r.numLine, col: 1}
parseField:
	for {
		i := bytes.IndexFunc(line, func(r rune) bool { return !unicode.IsSpace(r) })
		if i < 0 {
			i = len(line)
			pos.col -= lengthNL(line)
		}
		line = line[i:]
		pos.col += i
		if len(line) == 0 || line[0] != '"' {
			// An unquoted field.
			i := bytes.IndexByte(line, ',')
			field := line
			if i >= 0 {
				field = field[:i]
			} else {
				field = field[:len(field)-lengthNL(field)]
			}
			if j := bytes.IndexByte(field, '"'); j >= 0 {
				err = &csv.ParseError{StartLine: recLine, Line: r.numLine, Column: pos.col + j, Err: csv.ErrBareQuote}
				break parseField
			}
			r.recordBuffer = append(r.recordBuffer, field...)
			r.fieldIndexes = append(r.fieldIndexes, len(r.recordBuffer))
			r.fieldPositions = append(r.fieldPositions, pos)
			if i >= 0 {
				line = line[i+1:]
				pos.col += i + 1
				continue parseField
			}
			break parseField
		}
		// A quoted field.
		fieldPos := pos
		line = line[1:]
		pos.col++
		for {
			i := bytes.IndexByte(line, '"')
			switch {
			case i >= 0:
				r.recordBuffer = append(r.recordBuffer, line[:i]...)
				line = line[i+1:]
				pos.col += i + 1
				switch rn := nextRune(line); {
				case rn == '"': // "" is a quote
					r.recordBuffer = append(r.recordBuffer, '"')
					line = line[1:]
					pos.col++
				case rn == ',': // the end of the field
					line = line[1:]
					pos.col++
					r.fieldIndexes = append(r.fieldIndexes, len(r.recordBuffer))
					r.fieldPositions = append(r.fieldPositions, fieldPos)
					continue parseField
				case lengthNL(line) == len(line): // the end of the record
					r.fieldIndexes = append(r.fieldIndexes, len(r.recordBuffer))
					r.fieldPositions = append(r.fieldPositions, fieldPos)
					break parseField
				default: // a quote inside a quoted field
					err = &csv.ParseError{StartLine: recLine, Line: r.numLine, Column: pos.col - 1, Err: csv.ErrQuote}
					break parseField
				}
			case len(line) > 0:
				// The field goes on past the end of the line.
				r.recordBuffer = append(r.recordBuffer, line...)
				if errRead != nil {
					break parseField
				}
				pos.col += len(line)
				line, errRead = r.readLine()
				if len(line) > 0 {
					pos.line++
					pos.col = 1
				}
				if errRead == io.EOF {
					errRead = nil
				}
			default:
				// The input ended inside quotes.
				if errRead == nil {
					err = &csv.ParseError{StartLine: recLine, Line: pos.line, Column: pos.col, Err: csv.ErrQuote}
					break parseField
				}
				r.fieldIndexes = append(r.fieldIndexes, len(r.recordBuffer))
				r.fieldPositions = append(r.fieldPositions, fieldPos)
				break parseField
			}
		}
	}
	if err == nil {
		err = errRead
	}
	prev := 0
	for _, end := range r.fieldIndexes {
		r.record = append(r.record, unsafe.String(unsafe.SliceData(r.recordBuffer[prev:]), end-prev))
		prev = end
	}
	return err
}

func lengthNL(b []byte) int {
	if len(b) > 0 && b[len(b)-1] == '\n' {
		return 1
	}
	return 0
}

func nextRune(b []byte) rune {
	r, _ := utf8.DecodeRune(b)
	return r
}
