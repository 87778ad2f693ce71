package main

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func init() { cobra.AddTemplateFunc("flagUsages", flagUsages) }

// usageTemplate is cobra's usage template with the flag lists written by
// flagUsages. The template is parsed only when usage is printed.
func usageTemplate() string {
	return strings.NewReplacer(
		".LocalFlags.FlagUsages", "flagUsages .LocalFlags",
		".InheritedFlags.FlagUsages", "flagUsages .InheritedFlags",
	).Replace((&cobra.Command{}).UsageTemplate())
}

// flagUsages lists the flags of fs as pflag does, without the
// "[=true|false]" pflag adds to every boolean flag (--quiet, not
// --quiet[=true|false]): blanks of the same width keep the columns.
func flagUsages(fs *pflag.FlagSet) string {
	const noise = "[=true|false]"
	return strings.ReplaceAll(fs.FlagUsages(), noise, strings.Repeat(" ", len(noise)))
}
