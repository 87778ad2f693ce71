package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/serverless/s3data"
	"github.com/hpsearch/hpsearch/trial"
)

// pushed is the --json output of "datasets push".
type pushed struct {
	Dataset  string     `json:"dataset"`
	Bucket   string     `json:"bucket"`
	Key      string     `json:"key"`
	SHA256   string     `json:"sha256"`
	Uploaded bool       `json:"uploaded"`
	Rows     int        `json:"rows"`
	Cols     int        `json:"cols"`
	Task     trial.Task `json:"task"`
}

// newDatasetsPushCmd builds "hpsearch datasets push".
func newDatasetsPushCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "push FILE_OR_NAME --bucket BUCKET [flags]",
		Short: "store a dataset in S3 for Lambda workers",
		Long: `Loads a bundled dataset, a local .csv or .parquet file, or an s3:// URI of
one, converts it to hpsearch's binary form and stores it in BUCKET under
datasets/<sha256>, unless that object already exists. Lambda workers fetch
it from there once per execution environment. Prints the S3 reference.`,
		Example: `  hpsearch datasets push digits --bucket my-hpsearch-bucket
  hpsearch datasets push ./houses.csv --target price --bucket my-hpsearch-bucket`,
	}
	fs := cmd.Flags()
	bucket := new(string)
	bucketVar(fs, bucket, "", "the bucket `BUCKET` (default $HPSEARCH_BUCKET)")
	region := fs.String("region", os.Getenv("HPSEARCH_REGION"), "the AWS `REGION` (default $HPSEARCH_REGION, then the standard AWS configuration)")
	target := fs.String("target", "", "the label `COLUMN` (default: the last column)")
	task := fs.String("task", "", "`TASK`: classification or regression (default: inferred)")
	encoding := fs.String("encoding", "", "`ENC`oding of string features: onehot or ordinal")
	allowMissing := fs.Bool("allow-missing", false, "keep missing cells (for a spec that imputes)")
	asJSON := fs.Bool("json", false, "print the reference as JSON")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		ctx := cmd.Context()
		var err error
		if *bucket == "" {
			if *bucket, err = envBucket(); err != nil {
				return err
			}
		}
		switch {
		case len(pos) != 1:
			return usageErr("push takes one dataset: a bundled name, a .csv or .parquet file, or an s3:// URI")
		case *bucket == "":
			return usageErr("push needs --bucket BUCKET (or HPSEARCH_BUCKET)")
		}
		opts := datasets.Options{Target: *target, Task: trial.Task(*task), Encoding: *encoding, AllowMissing: *allowMissing}

		var loadOpts []func(*config.LoadOptions) error
		if *region != "" {
			loadOpts = append(loadOpts, config.WithRegion(*region))
		}
		awsCfg, err := loadAWSConfig(ctx, loadOpts...)
		if err != nil {
			return fmt.Errorf("datasets push: load AWS config: %w", err)
		}
		client := s3data.NewClient(awsCfg, os.Getenv)

		ref := pos[0]
		d, err := interruptible(ctx, phaseDataset, func(ctx context.Context) (*datasets.Dataset, error) {
			if strings.HasPrefix(ref, "s3://") {
				return s3data.Fetch(ctx, client, ref, opts)
			}
			return datasets.Load(ref, opts)
		})
		if err != nil {
			return err
		}
		dref, uploaded, err := s3data.Push(ctx, client, *bucket, d)
		if err != nil {
			return err
		}
		out := pushed{Dataset: d.Name, Bucket: dref.Bucket, Key: dref.Key, SHA256: dref.SHA256,
			Uploaded: uploaded, Rows: d.Rows, Cols: d.Cols, Task: d.Task}
		if *asJSON {
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		}
		state := "uploaded"
		if !uploaded {
			state = "already present"
		}
		fmt.Fprintf(e.stdout, "s3://%s/%s  %s (%d rows × %d features, %s), %s\n",
			out.Bucket, out.Key, out.Dataset, out.Rows, out.Cols, out.Task, state)
		return nil
	}
	return cmd
}
