package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/hpsearch/hpsearch/datasets"
)

// measureLoad loads path once with datasets.Load and prints the seconds
// and the process's peak resident set (VmHWM). Run it in a fresh process
// per measurement: VmHWM never goes down.
func measureLoad(w io.Writer, path, target string) error {
	before := vmHWM()
	start := time.Now()
	d, err := datasets.Load(path, datasets.Options{Target: target})
	secs := time.Since(start).Seconds()
	if err != nil {
		return err
	}
	peak := vmHWM()
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	// The checksum shows that a CSV and its Parquet twin load to the same X.
	var sum float64
	for i, v := range d.X {
		sum += v * float64(i%d.Cols+1)
	}
	fmt.Fprintf(w, "file=%s bytes=%d rows=%d cols=%d seconds=%.3f vmhwm_mib=%.1f vmhwm_before_mib=%.1f x_mib=%.1f checksum=%.6g\n",
		filepath.Base(path), fi.Size(), d.Rows, d.Cols, secs, mib(peak), mib(before), mib(int64(len(d.X))*8), sum)
	return nil
}

// measureBinaryLoad decodes a dataset's binary form from path, streamed
// from the file (datasets.DecodeBinary, the worker's path) or, with
// whole, read into memory first and decoded from the bytes (the worker's
// path before it streamed), and prints what measureLoad prints.
func measureBinaryLoad(w io.Writer, path string, whole bool) error {
	before := vmHWM()
	start := time.Now()
	var d *datasets.Dataset
	if whole {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if d, err = datasets.UnmarshalBinary(b); err != nil {
			return err
		}
	} else {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		if d, err = datasets.DecodeBinary(f, fi.Size()); err != nil {
			return err
		}
	}
	secs := time.Since(start).Seconds()
	peak := vmHWM()
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	var sum float64
	for i, v := range d.X {
		sum += v * float64(i%d.Cols+1)
	}
	mode := "streamed"
	if whole {
		mode = "whole"
	}
	fmt.Fprintf(w, "file=%s mode=%s bytes=%d rows=%d cols=%d seconds=%.3f vmhwm_mib=%.1f vmhwm_before_mib=%.1f x_mib=%.1f checksum=%.6g\n",
		filepath.Base(path), mode, fi.Size(), d.Rows, d.Cols, secs, mib(peak), mib(before), mib(int64(len(d.X))*8), sum)
	return nil
}

// writeBinary loads path and writes its binary form to path with its
// extension replaced by .hpds.
func writeBinary(path, target string) error {
	d, err := datasets.Load(path, datasets.Options{Target: target})
	if err != nil {
		return err
	}
	b, err := d.MarshalBinary()
	if err != nil {
		return err
	}
	out := strings.TrimSuffix(path, filepath.Ext(path)) + ".hpds"
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %s (%.1f MiB)\n", out, mib(int64(len(b))))
	return nil
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// vmHWM returns the peak resident set size from /proc/self/status, in
// bytes, or -1.
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				return -1
			}
			if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil {
				return kb * 1024
			}
		}
	}
	return -1
}

// generateLoadPair writes dir/load-ROWS.csv with datasets.GenerateCSV
// (seed 1) and its Parquet twin dir/load-ROWS.parquet: DOUBLE columns
// x0..x{cols-1} and a string column label, in the CSV's order, written
// with parquet-go's defaults (no compression, row groups of its default
// size).
func generateLoadPair(dir string, rows, cols int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	csvPath := filepath.Join(dir, fmt.Sprintf("load-%d.csv", rows))
	if err := writeFile(csvPath, func(w io.Writer) error { return datasets.GenerateCSV(w, rows, cols, 1) }); err != nil {
		return err
	}
	pqPath := filepath.Join(dir, fmt.Sprintf("load-%d.parquet", rows))
	if err := csvToParquet(csvPath, pqPath, cols); err != nil {
		return err
	}
	for _, p := range []string{csvPath, pqPath} {
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		fmt.Printf("wrote %s (%.1f MiB)\n", p, mib(fi.Size()))
	}
	return nil
}

// csvToParquet converts a GenerateCSV file (numeric features, last column
// a string label) into Parquet. The schema comes from a struct type built
// at run time, since parquet-go keeps a struct's field order where a
// parquet.Group would sort the columns by name.
func csvToParquet(csvPath, pqPath string, cols int) error {
	in, err := os.Open(csvPath)
	if err != nil {
		return err
	}
	defer in.Close()
	br := bufio.NewReaderSize(in, 1<<20)
	header, err := br.ReadString('\n')
	if err != nil {
		return err
	}
	names := strings.Split(strings.TrimSpace(header), ",")
	if len(names) != cols+1 {
		return fmt.Errorf("%s: %d columns, want %d", csvPath, len(names), cols+1)
	}
	fields := make([]reflect.StructField, len(names))
	for j, n := range names {
		typ := reflect.TypeFor[float64]()
		if j == cols {
			typ = reflect.TypeFor[string]()
		}
		fields[j] = reflect.StructField{Name: fmt.Sprintf("F%d", j), Type: typ, Tag: reflect.StructTag(fmt.Sprintf(`parquet:%q`, n))}
	}
	schema := parquet.SchemaOf(reflect.New(reflect.StructOf(fields)).Interface())
	out, err := os.Create(pqPath)
	if err != nil {
		return err
	}
	pw := parquet.NewWriter(out, schema)
	batch := make([]parquet.Row, 0, 1024)
	flush := func() error {
		_, err := pw.WriteRows(batch)
		batch = batch[:0]
		return err
	}
	for line := 2; ; line++ {
		text, err := br.ReadBytes('\n')
		if err == io.EOF && len(text) == 0 {
			break
		}
		if err != nil && err != io.EOF {
			out.Close()
			return err
		}
		cells := bytes.Split(bytes.TrimSpace(text), []byte{','})
		if len(cells) != cols+1 {
			out.Close()
			return fmt.Errorf("%s:%d: %d cells, want %d", csvPath, line, len(cells), cols+1)
		}
		row := make(parquet.Row, cols+1)
		for j := range cols {
			v, err := strconv.ParseFloat(string(cells[j]), 64)
			if err != nil {
				out.Close()
				return fmt.Errorf("%s:%d: %w", csvPath, line, err)
			}
			row[j] = parquet.ValueOf(v).Level(0, 0, j)
		}
		row[cols] = parquet.ValueOf(string(cells[cols])).Level(0, 0, cols)
		if batch = append(batch, row); len(batch) == cap(batch) {
			if err := flush(); err != nil {
				out.Close()
				return err
			}
		}
	}
	if err := flush(); err != nil {
		out.Close()
		return err
	}
	if err := pw.Close(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
