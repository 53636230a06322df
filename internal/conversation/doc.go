// Package conversation owns conversations, their messages and internal notes, and the rule at
// the heart of Gesher: a customer has at most one open conversation, whatever channel they write
// on, and it has one owner.
//
// It decides nothing about channels (the channel package sends and receives) or about who
// should own a conversation (an Assigner, the routing package, decides); it records both.
package conversation
