package ivr_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/ivr"
)

func langs(s string) map[string]string { return map[string]string{"he": s + " he", "en": s + " en"} }

// tree is a small valid menu: start offers an article (which comes back) and an agent.
func tree() ivr.Tree {
	return ivr.Tree{ID: "t", Name: "Test", Languages: []string{"he", "en"}, Start: "start", Nodes: []ivr.Node{
		{ID: "start", Title: langs("Start"), Prompt: langs("Press"), Options: []ivr.Option{
			{Digit: "1", Label: langs("Hours"), Next: "hours"},
			{Digit: "2", Label: langs("Agent"), Next: "agent", Words: map[string][]string{"en": {"person"}}},
		}},
		{ID: "hours", Title: langs("Hours"), Prompt: langs("Our hours"), Action: &ivr.Action{Kind: ivr.ActArticle, Article: "hours"}},
		{ID: "agent", Title: langs("Agent"), Prompt: langs("Hold"), Action: &ivr.Action{Kind: ivr.ActQueue}},
	}}
}

func TestValidateRefusesBrokenTrees(t *testing.T) {
	if err := ivr.Validate(tree()); err != nil {
		t.Fatalf("valid tree refused: %v", err)
	}
	cases := []struct {
		name, field, reason string
		edit                func(*ivr.Tree)
	}{
		{"dangling option", "nodes[0].options[0].next", `no node "nowhere"`, func(t *ivr.Tree) { t.Nodes[0].Options[0].Next = "nowhere" }},
		{"prompt missing in a language", "nodes[1].prompt", "missing in en", func(t *ivr.Tree) { delete(t.Nodes[1].Prompt, "en") }},
		{"label missing in a language", "nodes[0].options[1].label", "missing in he", func(t *ivr.Tree) { t.Nodes[0].Options[1].Label["he"] = " " }},
		{"same key twice", "nodes[0].options[1].digit", "used twice", func(t *ivr.Tree) { t.Nodes[0].Options[1].Digit = "1" }},
		{"unknown start", "start", "no node", func(t *ivr.Tree) { t.Start = "x" }},
		{"a loop with no exit", "nodes[0]", "can never reach", func(t *ivr.Tree) {
			// start → hours → start, and the agent option gone: a caller could only go round.
			t.Nodes[0].Options = t.Nodes[0].Options[:1]
		}},
		{"options and an action", "nodes[1]", "options and an action", func(t *ivr.Tree) {
			t.Nodes[1].Options = []ivr.Option{{Digit: "1", Label: langs("x"), Next: "start"}}
		}},
		{"unknown action", "nodes[2].action.kind", "one of", func(t *ivr.Tree) { t.Nodes[2].Action.Kind = "fax" }},
		{"words in a language not the menu's", "nodes[0].options[1].words", "not a language", func(t *ivr.Tree) {
			t.Nodes[0].Options[1].Words = map[string][]string{"fr": {"personne"}}
		}},
		{"a picture from another site over http", "nodes[1].picture", "https", func(t *ivr.Tree) { t.Nodes[1].Picture = "http://evil.example/x.png" }},
		{"an unknown language", "languages", "not one of", func(t *ivr.Tree) { t.Languages = append(t.Languages, "xx") }},
		{"a screen language no customer page has", "screen_languages", "not one of", func(t *ivr.Tree) { t.Screen = []string{"de"} }},
		{"a screen language the phone speaks already", "screen_languages", "twice", func(t *ivr.Tree) { t.Screen = []string{t.Languages[0]} }},
		{"a title missing in a screen language", "nodes[0].title", "missing in fr", func(t *ivr.Tree) { t.Screen = []string{"fr"} }},
	}
	for _, c := range cases {
		tr := tree()
		c.edit(&tr)
		err := ivr.Validate(tr)
		var ve *ivr.ValidationError
		if !errors.As(err, &ve) || ve.Field != c.field || !strings.Contains(ve.Reason, c.reason) {
			t.Errorf("%s: %v; want %s: …%s…", c.name, err, c.field, c.reason)
		}
	}
}
