package ivr

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Actions a menu node can end in.
const (
	// ActArticle says (or shows) a help-centre article, then goes on to Then.
	ActArticle = "article"
	// ActCaseStatus tells the caller where their open cases stand, then goes on to Then.
	ActCaseStatus = "case-status"
	// ActFlow sends (or links) a service's guided flow, then goes on to Then.
	ActFlow = "flow"
	// ActQueue puts the caller in line for an agent.
	ActQueue = "queue"
	// ActCallback books a callback on the caller's conversation and ends the call.
	ActCallback = "callback"
	// ActVisualMenu texts the caller the visual menu's link and puts them in line: they keep
	// their place while they use it.
	ActVisualMenu = "visual-menu"
	// ActWhatsApp sends the caller a WhatsApp template where WhatsApp fits them, then goes on
	// to Then.
	ActWhatsApp = "whatsapp"
)

// exits are the actions that leave the menu: every node must be able to reach one.
var exits = []string{ActQueue, ActCallback, ActVisualMenu}

// actions are every action a node may have.
var actions = []string{ActArticle, ActCaseStatus, ActFlow, ActQueue, ActCallback, ActVisualMenu, ActWhatsApp}

// Tree is a menu: its languages, its first node and its nodes. The same tree is the phone IVR
// and the visual menu.
type Tree struct {
	ID string `json:"id"`
	// Name is what supervisors call it.
	Name string `json:"name"`
	// Languages are those the menu speaks, in the order an unknown caller is offered them
	// ("for Hebrew press 1"); every prompt and label must be written in each.
	Languages []string `json:"languages"`
	// Screen are languages the visual menu shows besides Languages, for callers whose language
	// the phone cannot speak (the provider has no voice for Amharic, say): the menu on their
	// screen is in their language even though the call is not. Every title, prompt and label
	// must be written in each of them too.
	Screen    []string  `json:"screen_languages,omitempty"`
	Start     string    `json:"start"`
	Nodes     []Node    `json:"nodes"`
	UpdatedBy string    `json:"updated_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Node is one menu: what is said, the options, or an action.
type Node struct {
	ID string `json:"id"`
	// Title is the node's name on the screen, per language.
	Title map[string]string `json:"title"`
	// Prompt is what the phone says on entering the node, per language.
	Prompt map[string]string `json:"prompt"`
	// Picture is an image the visual menu shows (a URL path or https URL); optional.
	Picture string   `json:"picture,omitempty"`
	Options []Option `json:"options,omitempty"`
	Action  *Action  `json:"action,omitempty"`
}

// Option is one choice of a node: a key to press, words to say, and a label for the screen.
type Option struct {
	Digit string `json:"digit"`
	// Words are what a caller may say for it, per language; the label counts too.
	Words map[string][]string `json:"words,omitempty"`
	Label map[string]string   `json:"label"`
	Next  string              `json:"next"`
}

// Action is what a leaf node does.
type Action struct {
	Kind string `json:"kind"`
	// Article is the help-centre article group said or shown (ActArticle).
	Article string `json:"article,omitempty"`
	// Service is the catalogue service whose flow is offered (ActFlow).
	Service string `json:"service,omitempty"`
	// Queue is the line the caller waits in (ActQueue, ActVisualMenu); empty: the channel's.
	Queue string `json:"queue,omitempty"`
	// Text is the WhatsApp template's rendering per language (ActWhatsApp).
	Text map[string]string `json:"text,omitempty"`
	// Then is where the menu goes after an action that does not end it; empty: Start.
	Then string `json:"then,omitempty"`
}

// Node returns the node with id.
func (t Tree) Node(id string) (Node, bool) {
	for _, n := range t.Nodes {
		if n.ID == id {
			return n, true
		}
	}
	return Node{}, false
}

// ValidationError says what is wrong with a tree.
type ValidationError struct{ Field, Reason string }

func (e *ValidationError) Error() string { return "menu: " + e.Field + ": " + e.Reason }

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// knownLangs are the languages the catalogs speak, so the phone's own phrases ("I did not
// hear you") exist in every menu language.
var knownLangs = []string{"he", "ar", "en", "ru"}

// screenLangs are the languages of the customer pages, which the visual menu can show.
var screenLangs = []string{"he", "ar", "en", "ru", "am", "fr"}

// ScreenLanguages are the languages the visual menu shows: the phone's, then the screen's own.
func (t Tree) ScreenLanguages() []string {
	return append(append([]string(nil), t.Languages...), t.Screen...)
}

// Validate checks a tree: ids well-formed and unique, every option leading to a node that
// exists, digits unique within a node, every prompt, title and label in every language, and
// from every node a way out (an agent, a callback or the visual menu) — a caller can never be
// caught in a loop with no exit.
func Validate(t Tree) error {
	bad := func(field, format string, args ...any) error {
		return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	if !idPattern.MatchString(t.ID) {
		return bad("id", "1 to 40 lower-case letters, digits, - or _")
	}
	if strings.TrimSpace(t.Name) == "" || len(t.Name) > 200 {
		return bad("name", "required, at most 200 characters")
	}
	if len(t.Languages) == 0 || len(t.Languages) > 9 {
		return bad("languages", "1 to 9 languages (one key each when the caller picks)")
	}
	for i, l := range t.Languages {
		if !slices.Contains(knownLangs, l) {
			return bad("languages", "%q is not one of %s", l, strings.Join(knownLangs, ", "))
		}
		if slices.Index(t.Languages, l) != i {
			return bad("languages", "%q is listed twice", l)
		}
	}
	for i, l := range t.Screen {
		if !slices.Contains(screenLangs, l) {
			return bad("screen_languages", "%q is not one of %s", l, strings.Join(screenLangs, ", "))
		}
		if slices.Contains(t.Languages, l) || slices.Index(t.Screen, l) != i {
			return bad("screen_languages", "%q is listed twice", l)
		}
	}
	if len(t.Nodes) == 0 || len(t.Nodes) > 200 {
		return bad("nodes", "1 to 200 nodes")
	}
	ids := map[string]int{}
	for i, n := range t.Nodes {
		f := fmt.Sprintf("nodes[%d]", i)
		if !idPattern.MatchString(n.ID) {
			return bad(f+".id", "1 to 40 lower-case letters, digits, - or _")
		}
		if _, dup := ids[n.ID]; dup {
			return bad(f+".id", "%q is used twice", n.ID)
		}
		ids[n.ID] = i
	}
	if _, ok := ids[t.Start]; !ok {
		return bad("start", "no node %q", t.Start)
	}
	inLangs := func(field string, m map[string]string, limit int) error {
		for _, l := range t.ScreenLanguages() {
			if strings.TrimSpace(m[l]) == "" {
				return bad(field, "missing in %s", l)
			}
			if len(m[l]) > limit {
				return bad(field, "longer than %d bytes in %s", limit, l)
			}
		}
		return nil
	}
	for i, n := range t.Nodes {
		f := fmt.Sprintf("nodes[%d]", i)
		if err := inLangs(f+".title", n.Title, 200); err != nil {
			return err
		}
		if err := inLangs(f+".prompt", n.Prompt, 2000); err != nil {
			return err
		}
		if n.Picture != "" && !strings.HasPrefix(n.Picture, "/") && !strings.HasPrefix(n.Picture, "https://") {
			return bad(f+".picture", "a path on this server or an https URL")
		}
		if strings.HasPrefix(n.Picture, "//") {
			return bad(f+".picture", "a path on this server or an https URL")
		}
		if len(n.Options) == 0 && n.Action == nil {
			return bad(f, "needs options or an action")
		}
		if len(n.Options) > 0 && n.Action != nil {
			return bad(f, "has options and an action: give the action a node of its own")
		}
		digits := map[string]bool{}
		for j, o := range n.Options {
			of := fmt.Sprintf("%s.options[%d]", f, j)
			if len(o.Digit) != 1 || o.Digit[0] < '0' || o.Digit[0] > '9' {
				return bad(of+".digit", "one of 0 to 9")
			}
			if digits[o.Digit] {
				return bad(of+".digit", "%s is used twice in this node", o.Digit)
			}
			digits[o.Digit] = true
			if err := inLangs(of+".label", o.Label, 200); err != nil {
				return err
			}
			for l, ws := range o.Words {
				if !slices.Contains(t.Languages, l) {
					return bad(of+".words", "%q is not a language of the menu", l)
				}
				if len(ws) > 20 {
					return bad(of+".words", "at most 20 words per language")
				}
			}
			if _, ok := ids[o.Next]; !ok {
				return bad(of+".next", "no node %q", o.Next)
			}
		}
		if a := n.Action; a != nil {
			if !slices.Contains(actions, a.Kind) {
				return bad(f+".action.kind", "one of %s", strings.Join(actions, ", "))
			}
			if a.Then != "" {
				if _, ok := ids[a.Then]; !ok {
					return bad(f+".action.then", "no node %q", a.Then)
				}
			}
			switch a.Kind {
			case ActArticle:
				if a.Article == "" {
					return bad(f+".action.article", "required: the article's group")
				}
			case ActFlow:
				if a.Service == "" {
					return bad(f+".action.service", "required: the catalogue service")
				}
			case ActWhatsApp:
				if err := inLangs(f+".action.text", a.Text, 1000); err != nil {
					return err
				}
			}
		}
	}
	// Every node must reach an exit. Walk backwards from the exits over "leads to" edges;
	// whatever is not reached is in a loop (or a dead end) without a way out.
	leadsTo := func(n Node) []string {
		var out []string
		for _, o := range n.Options {
			out = append(out, o.Next)
		}
		if n.Action != nil && !slices.Contains(exits, n.Action.Kind) {
			then := n.Action.Then
			if then == "" {
				then = t.Start
			}
			out = append(out, then)
		}
		return out
	}
	exitable := map[string]bool{}
	for _, n := range t.Nodes {
		if n.Action != nil && slices.Contains(exits, n.Action.Kind) {
			exitable[n.ID] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for _, n := range t.Nodes {
			if exitable[n.ID] {
				continue
			}
			for _, next := range leadsTo(n) {
				if exitable[next] {
					exitable[n.ID], changed = true, true
					break
				}
			}
		}
	}
	for i, n := range t.Nodes {
		if !exitable[n.ID] {
			return bad(fmt.Sprintf("nodes[%d]", i), "%q can never reach an agent, a callback or the visual menu: a caller would be caught in it", n.ID)
		}
	}
	return nil
}
