//! Property tests of the parsers that take what users type: random input never panics, valid input is never
//! refused and round-trips (the CloudWatch filter pattern and the `since` duration).

use ecsdeck::aws::FilterPattern;
use ecsdeck::model::time::parse_duration;
use proptest::prelude::*;

/// Text made mostly of the characters the pattern grammar cares about, plus any character at all.
fn pattern_like() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(vec![
                "{", "}", "[", "]", "(", ")", "\"", "%", "?", "-", "$.", "$", ".", "&&", "||", "&", "|",
                "=", "!=", ">", "<", ">=", "<=", "==", ",", "...", "*", " ", "  ", "IS", "NULL", "TRUE",
                "NOT", "EXISTS", "\\", "[0]", "[*]", "a", "ERROR", "1", "-2.5", "日本", "🦀", "e\u{301}",
            ])
            .prop_map(str::to_owned),
            1 => any::<char>().prop_map(String::from),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

fn messages() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        Just(r#"{"a":{"b":[1,{"c":"x y"}]},"n":5,"t":true,"z":null}"#.to_owned()),
        Just(
            r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET / HTTP/1.0" 404 1534"#
                .to_owned()
        ),
        "[a-z0-9 \\[\\]\"]{0,60}",
    ]
}

/// Patterns written by the documented grammar.
fn valid_pattern() -> impl Strategy<Value = String> {
    let ident = "[a-zA-Z_][a-zA-Z0-9_]{0,6}";
    let selector = (
        ident,
        prop::collection::vec(
            prop_oneof![
                ident.prop_map(|k| format!(".{k}")),
                (0u8..5).prop_map(|i| format!("[{i}]")),
                Just("[*]".to_owned()),
            ],
            0..3,
        ),
    )
        .prop_map(|(first, rest)| format!("$.{first}{}", rest.concat()));
    let number = prop_oneof![
        (-1000i64..1000).prop_map(|n| n.to_string()),
        (-1000.0f64..1000.0).prop_map(|n| format!("{n:.2}"))
    ];
    let string = prop_oneof![
        "[a-zA-Z0-9_.:/@-]{1,8}\\*?",
        "[a-zA-Z0-9 _.:/@*-]{0,10}".prop_map(|s| format!("\"{s}\"")),
        "[a-z]{1,5}(\\|[a-z]{1,5})?".prop_map(|r| format!("%{r}%")),
    ];
    let test = prop_oneof![
        (
            selector.clone(),
            prop::sample::select(vec!["=", "!="]),
            prop_oneof![number.clone(), string.clone()]
        )
            .prop_map(|(s, op, v)| format!("{s} {op} {v}")),
        (
            selector.clone(),
            prop::sample::select(vec![">", "<", ">=", "<="]),
            number.clone()
        )
            .prop_map(|(s, op, v)| format!("{s} {op} {v}")),
        (
            selector,
            prop::sample::select(vec!["IS NULL", "IS TRUE", "IS FALSE", "NOT EXISTS"])
        )
            .prop_map(|(s, t)| format!("{s} {t}")),
    ];
    let json = test
        .prop_recursive(3, 12, 2, |inner| {
            prop_oneof![
                (
                    inner.clone(),
                    prop::sample::select(vec!["&&", "||"]),
                    inner.clone()
                )
                    .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
                inner.prop_map(|a| format!("({a})")),
            ]
        })
        .prop_map(|e| format!("{{ {e} }}"));
    let term = prop_oneof![
        "[A-Za-z0-9_:.]{1,8}",
        "[A-Za-z0-9 _:.]{1,10}".prop_map(|s| format!("\"{s}\"")),
        "[A-Z]{1,4}(\\|[A-Z]{1,4})?".prop_map(|r| format!("%{r}%")),
    ];
    let terms = prop::collection::vec((prop::sample::select(vec!["", "?", "-"]), term), 1..5)
        .prop_map(|ts| {
            ts.into_iter()
                .map(|(mark, t)| format!("{mark}{t}"))
                .collect::<Vec<_>>()
                .join(" ")
        });
    let field = prop_oneof![
        Just("...".to_owned()),
        ident.prop_map(|n: String| n),
        (ident, prop::sample::select(vec!["=", "!="]), string)
            .prop_map(|(n, op, v)| format!("{n}{op}{v}")),
        (
            ident,
            prop::sample::select(vec![">", "<", ">=", "<="]),
            number
        )
            .prop_map(|(n, op, v)| format!("{n} {op} {v}")),
    ];
    let delimited = prop::collection::vec(field, 1..6).prop_map(|f| format!("[{}]", f.join(", ")));
    prop_oneof![json, terms, delimited]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn any_text_parses_or_is_refused_without_panicking(text in pattern_like(), message in messages()) {
        if let Ok(p) = FilterPattern::parse(Some(&text)) {
            let _ = p.matches(&message);
            if !matches!(p, FilterPattern::Unjudged(_)) {
                // What ecsdeck understood, written back, means the same.
                let again = FilterPattern::parse(Some(&p.to_string()));
                prop_assert_eq!(again, Ok(p));
            }
        }
    }

    #[test]
    fn any_unicode_never_panics(text in any::<String>(), message in any::<String>()) {
        if let Ok(p) = FilterPattern::parse(Some(&text)) {
            let _ = p.matches(&message);
        }
    }

    #[test]
    fn documented_patterns_are_never_refused_and_round_trip(text in valid_pattern(), message in messages()) {
        let parsed = FilterPattern::parse(Some(&text));
        prop_assert!(parsed.is_ok(), "{} refused: {:?}", text, parsed);
        if let Ok(p) = parsed {
            prop_assert!(!matches!(p, FilterPattern::Unjudged(_)), "{} not evaluated", text);
            let written = p.to_string();
            prop_assert_eq!(FilterPattern::parse(Some(&written)), Ok(p.clone()));
            let again = FilterPattern::parse(Some(&written)).unwrap_or(FilterPattern::All);
            prop_assert_eq!(p.matches(&message), again.matches(&message));
        }
    }

    #[test]
    fn any_duration_text_is_parsed_or_refused_without_panicking(text in "\\PC{0,20}|[0-9smhd ]{0,20}") {
        let _ = parse_duration(&text);
    }

    #[test]
    fn durations_round_trip(d in 0i64..30, h in 0i64..24, m in 0i64..60, s in 0i64..60) {
        let total = ((d * 24 + h) * 60 + m) * 60_000 + s * 1_000;
        prop_assume!(total > 0 && total <= 30 * 86_400_000);
        let mut text = String::new();
        for (n, unit) in [(d, 'd'), (h, 'h'), (m, 'm'), (s, 's')] {
            if n > 0 {
                text.push_str(&format!("{n}{unit}"));
            }
        }
        prop_assert_eq!(parse_duration(&text), Ok(total));
        prop_assert_eq!(parse_duration(&format!("  {text} ")), Ok(total));
        let trailing = format!("{text}x");
        prop_assert!(parse_duration(&trailing).is_err());
        prop_assert!(parse_duration(&text.replace(|c: char| c.is_ascii_alphabetic(), "")).is_err());
    }
}
