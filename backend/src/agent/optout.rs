//! "STOP"-style opt-outs: a customer who writes one is added to the suppression list
//! and receives no automated message again (AI replies, follow-ups, broadcasts).
//!
//! The match is exact-ish on purpose: the whole message, case-insensitive, ignoring
//! punctuation, emoji and a polite "please". "Stop" inside a longer sentence ("can it
//! stop the rain?") is not an opt-out.
//!
//! Our call on the confirmation: exactly one short notice is sent through the sender,
//! marked `sent_by = system`, so the customer knows it worked (WhatsApp's opt-out
//! guidance asks for this); nothing automated follows it.

/// Messages that opt out, normalised (lower case, single spaces, no punctuation).
const OPT_OUT_PHRASES: &[&str] = &[
    "stop",
    "stop all",
    "stopall",
    "unsubscribe",
    "unsub",
    "opt out",
    "optout",
    "cancel all",
    "end",
    "quit",
    "stop messaging me",
    "stop messaging",
    "stop texting me",
    "stop sending me messages",
    "stop sending messages",
    "stop contacting me",
    "stop writing to me",
    "dont message me",
    "do not message me",
    "dont contact me",
    "do not contact me",
    "dont text me",
    "do not text me",
    "remove me",
    "remove me from your list",
    "unsubscribe me",
    "no more messages",
];

/// The notice sent once after an opt-out.
pub fn confirmation(business_name: &str) -> String {
    format!(
        "You're unsubscribed: {business_name} will not send you automated messages any more. \
         A person from the team can still answer if you write to us."
    )
}

fn normalize(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c.is_whitespace() {
                c.to_lowercase().next().unwrap_or(c)
            } else if c == '-' {
                ' '
            } else {
                '\u{0}'
            }
        })
        .filter(|c| *c != '\u{0}')
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let words: Vec<&str> = words
        .iter()
        .copied()
        .skip_while(|w| matches!(*w, "please" | "pls" | "plz"))
        .collect();
    let mut words = words;
    while matches!(
        words.last(),
        Some(&("please" | "pls" | "plz" | "now" | "thanks"))
    ) {
        words.pop();
    }
    words.join(" ")
}

/// Whether a customer message is an opt-out.
pub fn is_opt_out(text: &str) -> bool {
    let n = normalize(text);
    !n.is_empty() && OPT_OUT_PHRASES.contains(&n.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_recognised_whatever_the_case_and_punctuation() {
        for t in [
            "STOP",
            "stop",
            " Stop! ",
            "Unsubscribe",
            "stop messaging me",
            "Stop messaging me please",
            "please STOP",
            "opt-out",
            "Do not contact me.",
            "STOP 🛑",
        ] {
            assert!(is_opt_out(t), "{t:?} should opt out");
        }
    }

    #[test]
    fn ordinary_messages_containing_stop_are_not_opt_outs() {
        for t in [
            "can you stop by the shop",
            "bus stop delivery?",
            "how much is the red dress",
            "",
            "stop the order of the blue one",
        ] {
            assert!(!is_opt_out(t), "{t:?} should not opt out");
        }
    }
}
