package helpcenter

import (
	"database/sql"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// Errors.
var (
	ErrNotFound = errors.New("helpcenter: not found")
	// ErrConflict is an edit made against a revision that is no longer the latest.
	ErrConflict = errors.New("helpcenter: the article changed since it was read; reload and edit again")
	// ErrVariantExists is a second article in one language of a group.
	ErrVariantExists = errors.New("helpcenter: the group already has an article in that language")
)

// ValidationError names a field of an article that is wrong.
type ValidationError struct{ Field, Reason string }

func (e *ValidationError) Error() string { return "helpcenter: " + e.Field + ": " + e.Reason }

// Visibility says who may read an article.
type Visibility string

// Visibilities.
const (
	Public   Visibility = "public"   // everyone, on /help
	Internal Visibility = "internal" // agents, in the console
)

// Status is where an article is in its life.
type Status string

// Statuses.
const (
	Draft     Status = "draft"     // being written; not searchable
	Published Status = "published" // searchable and shown
)

// Article is one language variant of a help article. Variants of the same article share a
// Group.
type Article struct {
	ID          string     `json:"id"`
	Group       string     `json:"group"`
	Lang        string     `json:"lang"`
	Title       string     `json:"title"`
	Body        string     `json:"body"` // Markdown (the safe subset RenderMarkdown knows)
	Category    string     `json:"category,omitempty"`
	Tags        []string   `json:"tags,omitempty"`
	Services    []string   `json:"services,omitempty"` // keys of related services in the catalogue
	Visibility  Visibility `json:"visibility"`
	Status      Status     `json:"status"`
	Revision    int        `json:"revision"`
	UpdatedBy   string     `json:"updated_by,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
}

// DisplayTitle is the title, or — for an article written without one — its opening words.
func (a Article) DisplayTitle() string {
	if a.Title != "" {
		return a.Title
	}
	return Opening(PlainText(a.Body), 10)
}

// Input is what a writer sends to create or change an article. Zero fields take defaults on
// create (group = the ID, visibility public, status draft).
type Input struct {
	ID         string     `json:"id,omitempty"` // on create and import only; a new ID otherwise
	Group      string     `json:"group,omitempty"`
	Lang       string     `json:"lang"`
	Title      string     `json:"title"`
	Body       string     `json:"body"`
	Category   string     `json:"category,omitempty"`
	Tags       []string   `json:"tags,omitempty"`
	Services   []string   `json:"services,omitempty"`
	Visibility Visibility `json:"visibility,omitempty"`
	Status     Status     `json:"status,omitempty"`
	// Revision is the revision the edit was made against; an update with a stale one fails
	// with ErrConflict. Zero skips the check (imports).
	Revision int `json:"revision,omitempty"`
}

// Limits on article fields.
const (
	maxTitle    = 300
	maxBody     = 200_000
	maxTags     = 30
	maxTag      = 60
	maxCategory = 80
)

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// normalize checks in and fills its defaults.
func (in Input) normalize() (Input, error) {
	bad := func(field, reason string) (Input, error) { return in, &ValidationError{Field: field, Reason: reason} }
	if in.ID != "" && !idPattern.MatchString(in.ID) {
		return bad("id", "letters, digits, - and _ only, at most 64")
	}
	tag, err := language.Parse(in.Lang)
	if err != nil || in.Lang == "" {
		return bad("lang", "a language tag such as he, ar, ru or en")
	}
	in.Lang = tag.String()
	in.Title = strings.TrimSpace(in.Title)
	in.Category = strings.TrimSpace(in.Category)
	in.Group = strings.TrimSpace(in.Group)
	switch {
	case !utf8.ValidString(in.Title) || !utf8.ValidString(in.Body) || !utf8.ValidString(in.Category):
		return bad("body", "not valid UTF-8")
	case utf8.RuneCountInString(in.Title) > maxTitle:
		return bad("title", "at most 300 characters")
	case len(in.Body) > maxBody:
		return bad("body", "at most 200,000 bytes")
	case strings.TrimSpace(in.Title) == "" && strings.TrimSpace(in.Body) == "":
		return bad("body", "an article needs a title or a body")
	case utf8.RuneCountInString(in.Category) > maxCategory:
		return bad("category", "at most 80 characters")
	case in.Group != "" && !idPattern.MatchString(in.Group):
		return bad("group", "letters, digits, - and _ only, at most 64")
	}
	clean := func(field string, list []string) ([]string, error) {
		var out []string
		for _, t := range list {
			t = strings.TrimSpace(strings.ReplaceAll(t, ",", " "))
			if t == "" || slices.Contains(out, t) {
				continue
			}
			if utf8.RuneCountInString(t) > maxTag || !utf8.ValidString(t) {
				return nil, &ValidationError{Field: field, Reason: "each at most 60 characters"}
			}
			out = append(out, t)
		}
		if len(out) > maxTags {
			return nil, &ValidationError{Field: field, Reason: "at most 30"}
		}
		return out, nil
	}
	if in.Tags, err = clean("tags", in.Tags); err != nil {
		return in, err
	}
	if in.Services, err = clean("services", in.Services); err != nil {
		return in, err
	}
	switch in.Visibility {
	case "":
		in.Visibility = Public
	case Public, Internal:
	default:
		return bad("visibility", "public or internal")
	}
	switch in.Status {
	case "":
		in.Status = Draft
	case Draft, Published:
	default:
		return bad("status", "draft or published")
	}
	return in, nil
}

// doc is what the index needs of the article.
func (a Article) doc() Doc {
	keys := a.Category
	if len(a.Tags) > 0 {
		keys += " " + strings.Join(a.Tags, " ")
	}
	return Doc{ID: a.ID, Lang: a.Lang, Group: a.Group, Title: a.Title, Body: PlainText(a.Body), Keys: keys,
		Public: a.Visibility == Public, Category: a.Category}
}

type scanner interface{ Scan(dest ...any) error }

func scanArticle(row scanner) (Article, error) {
	var (
		a                      Article
		tags, services         string
		created, updated       int64
		published              sql.NullInt64
		visibility, statusText string
	)
	err := row.Scan(&a.ID, &a.Group, &a.Lang, &a.Title, &a.Body, &a.Category, &tags, &services, &visibility, &statusText,
		&a.Revision, &a.UpdatedBy, &created, &updated, &published)
	if err != nil {
		return a, err
	}
	a.Visibility, a.Status = Visibility(visibility), Status(statusText)
	a.Tags, a.Services = splitList(tags), splitList(services)
	a.CreatedAt, a.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	if published.Valid {
		t := time.UnixMilli(published.Int64).UTC()
		a.PublishedAt = &t
	}
	return a, nil
}

// Lists are stored comma-separated: tags never contain a comma (normalize replaces it).
func joinList(l []string) string { return strings.Join(l, ",") }

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// Opening returns the first n words of text, with an ellipsis when there are more.
func Opening(text string, n int) string {
	words := strings.Fields(text)
	if len(words) <= n {
		return strings.Join(words, " ")
	}
	return strings.Join(words[:n], " ") + "…"
}
