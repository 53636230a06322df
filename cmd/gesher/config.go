package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Config is what Gesher needs before its database opens. Everything an administrator changes
// day to day — channels, SLA targets, the business calendar — lives in the database.
type Config struct {
	Addr      string
	SMTPAddr  string
	Data      string
	DB        string
	PublicURL string
	LogFormat string
	LogLevel  string
	Workers   int
	HookRate  float64
	LoginRate float64
	// HybridReserve is how many available agents each traditional queue keeps from digital
	// work while a segment is hybrid (routing.ParseReserve).
	HybridReserve string
	// SurveyDelay is how long after a resolution the survey goes out (a duration such as 5m).
	SurveyDelay string
	ConfigFile  string
}

// DefaultConfig is the configuration with nothing set.
func DefaultConfig() Config {
	return Config{Addr: "127.0.0.1:8080", SMTPAddr: "127.0.0.1:2525", Data: "./data", LogFormat: "text", LogLevel: "info", Workers: 4, HookRate: 200, LoginRate: 12, HybridReserve: "1", SurveyDelay: "5m"}
}

// configFields describes every setting once: its flag, its environment variable (GESHER_ and
// the upper-cased name) and its help text.
type configField struct {
	name, help string
	ptr        any
}

func (c *Config) fields() []configField {
	return []configField{
		{"addr", "address to listen on (host:port)", &c.Addr},
		{"smtp-addr", "address of the SMTP listener for inbound email (host:port; empty: none)", &c.SMTPAddr},
		{"data", "data folder; holds gesher.db when --db is not set", &c.Data},
		{"db", "database: a postgres:// URL, or an SQLite file path (default <data>/gesher.db)", &c.DB},
		{"public-url", "the URL providers and customers reach this server at (for signature checks and links behind a proxy)", &c.PublicURL},
		{"log-format", "log format: text or json", &c.LogFormat},
		{"log-level", "log level: debug, info, warn or error", &c.LogLevel},
		{"workers", "background job workers (sends, timers)", &c.Workers},
		{"hook-rate", "webhook requests per second allowed per client address (0: no limit)", &c.HookRate},
		{"login-rate", "sign-in attempts per minute allowed per client address, after a burst of ten (0: no limit)", &c.LoginRate},
		{"hybrid-reserve", "available agents each phone or branch queue keeps from digital work while a segment is in the hybrid phase: a number for every queue, then queue=number overrides (e.g. 1,phones=2)", &c.HybridReserve},
		{"survey-delay", "how long after a resolution its satisfaction survey is sent, at least 1s (an agent may reopen by mistake meanwhile)", &c.SurveyDelay},
		{"config", "optional file of name = value lines (the flag names above)", &c.ConfigFile},
	}
}

// bindFlags registers the settings on fs.
func (c *Config) bindFlags(fs *flag.FlagSet) {
	for _, f := range c.fields() {
		switch p := f.ptr.(type) {
		case *string:
			fs.StringVar(p, f.name, *p, f.help+" [GESHER_"+envName(f.name)+"]")
		case *int:
			fs.IntVar(p, f.name, *p, f.help+" [GESHER_"+envName(f.name)+"]")
		case *float64:
			fs.Float64Var(p, f.name, *p, f.help+" [GESHER_"+envName(f.name)+"]")
		}
	}
}

func envName(flagName string) string {
	return strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// resolve applies, in rising precedence, the config file, the environment, then the flags
// that were set explicitly on the command line.
func (c *Config) resolve(fs *flag.FlagSet) error {
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	file := c.ConfigFile
	if !explicit["config"] {
		if v := os.Getenv("GESHER_CONFIG"); v != "" {
			file = v
		}
	}
	values := map[string]string{}
	if file != "" {
		if err := readConfigFile(file, values); err != nil {
			return err
		}
	}
	for _, f := range c.fields() {
		if v, ok := os.LookupEnv("GESHER_" + envName(f.name)); ok {
			values[f.name] = v
		}
	}
	for _, f := range c.fields() {
		v, ok := values[f.name]
		if !ok || explicit[f.name] {
			continue
		}
		if err := setField(f, v); err != nil {
			return err
		}
	}
	if c.DB == "" {
		c.DB = filepath.Join(c.Data, "gesher.db")
	}
	return nil
}

func setField(f configField, v string) error {
	switch p := f.ptr.(type) {
	case *string:
		*p = v
	case *int:
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("config %s: %q is not a whole number", f.name, v)
		}
		*p = n
	case *float64:
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("config %s: %q is not a number", f.name, v)
		}
		*p = n
	}
	return nil
}

func readConfigFile(path string, into map[string]string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return fmt.Errorf("config file %s:%d: want name = value", path, n)
		}
		into[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"`)
	}
	return sc.Err()
}
