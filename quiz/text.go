package quiz

import (
	"fmt"
	"strings"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/discordtext"
)

// What a round looks like. Everything but the sentence and the round's id
// and end is the same for a real and a generated sentence: the colour, the
// wording, the buttons' order and labels (a test decodes every payload of
// both kinds of round to hold it so).
const (
	title      = "Real or Glow Cloud?"
	quizColor  = 0x84FFFF // eerie cyan, always
	realLabel  = "Real"
	realEmoji  = "📜"
	glowLabel  = "Glow Cloud"
	glowEmoji  = "☁️"
	againLabel = "Play again"
	againEmoji = "🔁"
)

// roundMessage is the public message that starts round r: the question,
// the sentence (shown, never rendered: a corpus may hold markup), and the
// Real and Glow Cloud buttons, which carry r's id and nothing else of it.
func roundMessage(r Round) bot.Reply {
	return bot.LimitReply(bot.Reply{
		Content: fmt.Sprintf("Did a person write this, or the Glow Cloud? Votes close <t:%d:R>; your first press counts.", r.EndsAt.Unix()),
		Embeds:  []bot.Embed{sentenceEmbed(r.Sentence)},
		Buttons: []bot.Button{
			{Label: realLabel, Emoji: realEmoji, CustomID: bot.QuizVoteID(r.ID, true)},
			{Label: glowLabel, Emoji: glowEmoji, CustomID: bot.QuizVoteID(r.ID, false)},
		},
	})
}

func sentenceEmbed(sentence string) bot.Embed {
	return bot.Embed{Title: title, Description: discordtext.ShowText(sentence), Color: quizColor}
}

// revealMessage is round rv's message once it has ended: the answer, how
// many were right, the fastest right voter, for a real sentence of the
// essay its section; the vote buttons disabled and a Play again button.
func revealMessage(rv Reveal) bot.Reply {
	var sb strings.Builder
	switch {
	case rv.Truth == Real && rv.Section != "":
		fmt.Fprintf(&sb, "**It was real**: a sentence of the essay, from its section “%s”.", discordtext.Show(rv.Section))
	case rv.Truth == Real:
		sb.WriteString("**It was real**: a sentence the Glow Cloud learned from, written by a person.")
	default:
		sb.WriteString("**It was the Glow Cloud.** No person ever wrote this sentence.")
	}
	right, fastest := 0, -1
	for i, v := range rv.Votes {
		if v.Vote == rv.Truth {
			right++
			if fastest < 0 {
				fastest = i
			}
		}
	}
	switch n := len(rv.Votes); {
	case n == 0:
		sb.WriteString("\nNobody voted.")
	default:
		fmt.Fprintf(&sb, "\n%d of %d %s got it right.", right, n, plural(n, "voter", "voters"))
		if fastest >= 0 {
			v := rv.Votes[fastest]
			fmt.Fprintf(&sb, " Fastest right answer: <@%s> in %s.", v.UserID, seconds(v.At.Sub(rv.StartedAt)))
		}
	}
	return bot.LimitReply(bot.Reply{
		Content: sb.String(),
		Embeds:  []bot.Embed{sentenceEmbed(rv.Sentence)},
		Buttons: []bot.Button{
			{Label: realLabel, Emoji: realEmoji, CustomID: bot.QuizVoteID(rv.ID, true), Disabled: true},
			{Label: glowLabel, Emoji: glowEmoji, CustomID: bot.QuizVoteID(rv.ID, false), Disabled: true},
			{Label: againLabel, Emoji: againEmoji, CustomID: bot.QuizPlayAgainID},
		},
	})
}

// topMessage is the leaderboard: rank, member, points, right answers and
// best streak.
func topMessage(top []Score) bot.Reply {
	if len(top) == 0 {
		return bot.LimitReply(bot.Reply{Content: "No one has played here yet. /quiz starts a round."})
	}
	var sb strings.Builder
	for i, s := range top {
		fmt.Fprintf(&sb, "%d. <@%s>: %d %s (%d of %d right", i+1, s.UserID, s.Points, plural(s.Points, "point", "points"), s.Right, s.Rounds)
		if s.Right > 0 {
			fmt.Fprintf(&sb, ", %s on average", seconds(time.Duration(s.RightMS/int64(s.Right))*time.Millisecond))
		}
		fmt.Fprintf(&sb, ", best streak %d)\n", s.Best)
	}
	return bot.LimitReply(bot.Reply{Embeds: []bot.Embed{{
		Title:       title + " The leaderboard",
		Description: strings.TrimSuffix(sb.String(), "\n"),
		Footer:      fmt.Sprintf("%d %s for a right answer, %d more for each right answer in a streak of %d or more; ties go to the faster", PointsRight, plural(PointsRight, "point", "points"), StreakBonus, StreakFrom),
		Color:       quizColor,
	}}})
}

// meText is a member's record, as /quiz me tells it.
func meText(s Score) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "You have **%d %s** here: %d of %d right (%d %%)", s.Points, plural(s.Points, "point", "points"), s.Right, s.Rounds, 100*s.Right/max(s.Rounds, 1))
	if s.Right > 0 {
		fmt.Fprintf(&sb, ", %s on average to a right answer", seconds(time.Duration(s.RightMS/int64(s.Right))*time.Millisecond))
	}
	fmt.Fprintf(&sb, ". Streak: %d now, %d at best. The Glow Cloud fooled you %d %s; you took a person for the Glow Cloud %d %s.",
		s.Streak, s.Best, s.Fooled, plural(s.Fooled, "time", "times"), s.Doubted, plural(s.Doubted, "time", "times"))
	return sb.String()
}

// voteName is how a vote reads.
func voteName(v string) string {
	if v == Real {
		return realLabel
	}
	return glowLabel
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// seconds writes d as "2.3 s".
func seconds(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }
