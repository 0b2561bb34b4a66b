//! CloudWatch Logs filter patterns: the documented grammar, parsed to check a pattern before it is sent and
//! evaluated by the simulator.
//!
//! - Unstructured text: terms separated by spaces, all required; `"quoted phrases"`; `?term` (at least one
//!   of the optional terms); `-term` (must not appear); `%regex%`.
//! - JSON: `{ SELECTOR OP VALUE }` with `$.a.b[0]` selectors, `= != > < >= <=`, string values with `*`
//!   wildcards, numbers, `%regex%`; `IS NULL`, `IS TRUE`, `IS FALSE`, `NOT EXISTS`; `&&`, `||` and
//!   parentheses.
//! - Space-delimited: `[ip, user, ..., status = 4*, bytes > 1000]`, a field's condition joined with `&&`/`||`.
//!
//! Only what is certainly malformed is refused (an unclosed quote, brace, bracket or parenthesis, a JSON
//! condition without a `$` selector, an operator or value missing, text after the closing brace). Anything
//! else this parser does not evaluate is [`FilterPattern::Unjudged`]: sent to AWS as typed, which judges it.
//!
//! Why one file of ~1,100 lines (~160 of them tests): it is one grammar — the three pattern kinds share the
//! tokenizer, the value and wildcard matching and the canonical `Display`, and read best side by side.

use regex::Regex;
use std::fmt;

/// A parsed filter pattern. `Display` writes it back in a canonical form that parses to the same value.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterPattern {
    /// The empty pattern: every event.
    All,
    Terms(Vec<Term>),
    Json(JsonExpr),
    Delimited(Vec<Field>),
    /// Well formed as far as ecsdeck can tell, in a form it does not evaluate: AWS decides. The simulator
    /// lets every event through, as moto does.
    Unjudged(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermKind {
    Required,
    /// `?term`: at least one optional term must appear.
    Optional,
    /// `-term`: must not appear.
    Excluded,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub kind: TermKind,
    pub text: Text,
}

/// A term or a value as written: bare, quoted, or a `%regex%`.
#[derive(Debug, Clone, PartialEq)]
pub enum Text {
    Bare(String),
    Quoted(String),
    Regex(Re),
}

/// A compiled `%regex%`, compared by its source.
#[derive(Debug, Clone)]
pub struct Re(Regex);

impl PartialEq for Re {
    fn eq(&self, other: &Re) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
}

impl Op {
    fn text(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Gt => ">",
            Op::Lt => "<",
            Op::Ge => ">=",
            Op::Le => "<=",
        }
    }

    fn numeric_only(self) -> bool {
        !matches!(self, Op::Eq | Op::Ne)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum JsonExpr {
    And(Box<JsonExpr>, Box<JsonExpr>),
    Or(Box<JsonExpr>, Box<JsonExpr>),
    Test { selector: Selector, test: JsonTest },
}

#[derive(Debug, Clone, PartialEq)]
pub enum JsonTest {
    Compare(Op, Text),
    IsNull,
    IsTrue,
    IsFalse,
    Exists,
    NotExists,
}

/// `$.a.b[0]`: the path into a JSON event; `*` steps match any key or element.
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    text: String,
    steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
    Any,
}

/// One field of a space-delimited pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    /// `...`: any number of fields.
    Ellipsis,
    /// A name, any value.
    Named(String),
    /// A quoted or bare literal the field must equal.
    Literal(Text),
    /// `status = 4* || status = 5*`.
    Condition(FieldExpr),
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldExpr {
    And(Box<FieldExpr>, Box<FieldExpr>),
    Or(Box<FieldExpr>, Box<FieldExpr>),
    Compare { name: String, op: Op, value: Text },
}

const INVALID: &str = "Invalid filter pattern";
/// FilterLogEvents and StartLiveTail take patterns of at most this many characters.
const MAX_LEN: usize = 1024;

fn invalid(text: &str, why: &str) -> String {
    format!("{INVALID}: {why} in {text:?}")
}

/// Regexes typed by users are compiled with a bound, like every user regex in ecsdeck.
fn compile(source: &str) -> Option<Re> {
    regex::RegexBuilder::new(source)
        .size_limit(1 << 20)
        .build()
        .ok()
        .map(Re)
}

/// Why a pattern is not evaluated here: malformed (refused) or a form left to AWS.
enum Problem {
    Invalid(String),
    Unjudged,
}

type Parsed<T> = Result<T, Problem>;

fn bad<T>(why: &str) -> Parsed<T> {
    Err(Problem::Invalid(why.to_owned()))
}

impl FilterPattern {
    /// Parses a pattern; Err only when AWS would certainly refuse it.
    pub fn parse(text: Option<&str>) -> Result<FilterPattern, String> {
        let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(FilterPattern::All);
        };
        if text.chars().count() > MAX_LEN {
            return Err(invalid(
                text,
                &format!("longer than AWS's {MAX_LEN} characters"),
            ));
        }
        let parsed = if let Some(body) = text.strip_prefix('{') {
            enclosed(body, '}').and_then(|body| parse_json(body).map(FilterPattern::Json))
        } else if let Some(body) = text.strip_prefix('[') {
            enclosed(body, ']').and_then(|body| parse_delimited(body).map(FilterPattern::Delimited))
        } else {
            parse_terms(text).map(FilterPattern::Terms)
        };
        match parsed {
            Ok(p) => Ok(p),
            Err(Problem::Invalid(why)) => Err(invalid(text, &why)),
            Err(Problem::Unjudged) => Ok(FilterPattern::Unjudged(text.to_owned())),
        }
    }

    pub fn matches(&self, message: &str) -> bool {
        match self {
            FilterPattern::All | FilterPattern::Unjudged(_) => true,
            FilterPattern::Terms(terms) => {
                let has = |t: &Term| t.text.found_in(message);
                let optional: Vec<&Term> = terms
                    .iter()
                    .filter(|t| t.kind == TermKind::Optional)
                    .collect();
                terms
                    .iter()
                    .filter(|t| t.kind == TermKind::Required)
                    .all(has)
                    && !terms
                        .iter()
                        .filter(|t| t.kind == TermKind::Excluded)
                        .any(has)
                    && (optional.is_empty() || optional.into_iter().any(has))
            }
            FilterPattern::Json(expr) => serde_json::from_str::<serde_json::Value>(message)
                .ok()
                .is_some_and(|v| expr.matches(&v)),
            FilterPattern::Delimited(fields) => {
                let words = split_fields(message);
                let mut assigned = Vec::with_capacity(fields.len());
                let mut budget = MATCH_BUDGET;
                match_fields(fields, &words, &mut assigned, &mut budget)
            }
        }
    }
}

/// The body between an opening and its closing delimiter, which must end the pattern.
fn enclosed(body: &str, close: char) -> Parsed<&str> {
    let Some(inner) = body.strip_suffix(close) else {
        return if body.contains(close) {
            bad(&format!("nothing may follow the closing {close}"))
        } else {
            bad(&format!("missing closing {close}"))
        };
    };
    Ok(inner)
}

// ---------------------------------------------------------------------------------------------------------
// Tokens of the JSON and space-delimited forms.

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    And,
    Or,
    Comma,
    Op(Op),
    Text(Text),
}

/// Reads a `"quoted"` string after its opening quote; `\"` and `\\` are escapes. Returns it and the rest.
fn quoted(rest: &str) -> Parsed<(String, &str)> {
    let mut out = String::new();
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, rest.get(i + 1..).unwrap_or_default())),
            '\\' => match chars.next() {
                Some((_, e)) => out.push(e),
                None => break,
            },
            c => out.push(c),
        }
    }
    bad("unbalanced quote")
}

/// Reads a `%regex%` after its opening `%`; `\%` stays in the regex as an escaped `%`.
fn regex_text(rest: &str) -> Parsed<(Re, &str)> {
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '%' => {
                let source = rest.get(..i).unwrap_or_default();
                if source.is_empty() {
                    return Err(Problem::Unjudged);
                }
                let re = compile(source).ok_or(Problem::Unjudged)?;
                return Ok((re, rest.get(i + 1..).unwrap_or_default()));
            }
            '\\' => {
                chars.next();
            }
            _ => {}
        }
    }
    // `100%` or a lone `%`: maybe a typo, maybe a form AWS takes; it decides.
    Err(Problem::Unjudged)
}

fn tokens(body: &str, comma: bool) -> Parsed<Vec<Tok>> {
    let mut out = Vec::new();
    let mut rest = body.trim_start();
    while let Some(c) = rest.chars().next() {
        let after = rest.get(c.len_utf8()..).unwrap_or_default();
        let two = |s: &str| rest.starts_with(s);
        rest = match c {
            '(' => {
                out.push(Tok::Open);
                after
            }
            ')' => {
                out.push(Tok::Close);
                after
            }
            ',' if comma => {
                out.push(Tok::Comma);
                after
            }
            '&' if two("&&") => {
                out.push(Tok::And);
                rest.get(2..).unwrap_or_default()
            }
            '|' if two("||") => {
                out.push(Tok::Or);
                rest.get(2..).unwrap_or_default()
            }
            '&' | '|' => return bad("use && and || to combine conditions"),
            '=' if two("==") => return bad("use = to compare, not =="),
            '!' | '>' | '<' if two("!=") || two(">=") || two("<=") => {
                out.push(Tok::Op(match c {
                    '!' => Op::Ne,
                    '>' => Op::Ge,
                    _ => Op::Le,
                }));
                rest.get(2..).unwrap_or_default()
            }
            '=' | '>' | '<' => {
                out.push(Tok::Op(match c {
                    '=' => Op::Eq,
                    '>' => Op::Gt,
                    _ => Op::Lt,
                }));
                after
            }
            '"' => {
                let (s, after) = quoted(after)?;
                out.push(Tok::Text(Text::Quoted(s)));
                after
            }
            '%' => {
                let (re, after) = regex_text(after)?;
                out.push(Tok::Text(Text::Regex(re)));
                after
            }
            _ => {
                let end = rest
                    .find(|c: char| {
                        c.is_whitespace()
                            || "()=!<>\"&|".contains(c)
                            || (comma && c == ',')
                            || c == '%'
                    })
                    .unwrap_or(rest.len());
                if end == 0 {
                    // A lone `!` or a `%` mid-word: a form this parser does not know.
                    return Err(Problem::Unjudged);
                }
                out.push(Tok::Text(Text::Bare(
                    rest.get(..end).unwrap_or_default().to_owned(),
                )));
                rest.get(end..).unwrap_or_default()
            }
        }
        .trim_start();
    }
    Ok(out)
}

/// A cursor over tokens.
struct Tokens {
    toks: Vec<Tok>,
    at: usize,
}

impl Tokens {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn done(&self) -> bool {
        self.at >= self.toks.len()
    }
}

/// `a || b`, `a && b` (tighter) and parentheses over any condition: shared by both structured forms.
fn or_expr<T>(
    toks: &mut Tokens,
    atom: &impl Fn(&mut Tokens) -> Parsed<T>,
    and: fn(T, T) -> T,
    or: fn(T, T) -> T,
) -> Parsed<T> {
    let mut left = and_expr(toks, atom, and, or)?;
    while toks.peek() == Some(&Tok::Or) {
        toks.next();
        let right = and_expr(toks, atom, and, or)?;
        left = or(left, right);
    }
    Ok(left)
}

fn and_expr<T>(
    toks: &mut Tokens,
    atom: &impl Fn(&mut Tokens) -> Parsed<T>,
    and: fn(T, T) -> T,
    or: fn(T, T) -> T,
) -> Parsed<T> {
    let mut left = group(toks, atom, and, or)?;
    while toks.peek() == Some(&Tok::And) {
        toks.next();
        let right = group(toks, atom, and, or)?;
        left = and(left, right);
    }
    Ok(left)
}

fn group<T>(
    toks: &mut Tokens,
    atom: &impl Fn(&mut Tokens) -> Parsed<T>,
    and: fn(T, T) -> T,
    or: fn(T, T) -> T,
) -> Parsed<T> {
    match toks.peek() {
        Some(Tok::Open) => {
            toks.next();
            let inner = or_expr(toks, atom, and, or)?;
            match toks.next() {
                Some(Tok::Close) => Ok(inner),
                _ => bad("unbalanced parentheses"),
            }
        }
        Some(Tok::And | Tok::Or) => bad("&& or || needs a condition on both sides"),
        Some(Tok::Close) => bad("unbalanced parentheses"),
        None => bad("a condition is missing"),
        _ => atom(toks),
    }
}

fn value(toks: &mut Tokens, op: Op) -> Parsed<Text> {
    match toks.next() {
        Some(Tok::Text(Text::Bare(b))) if b == "..." => bad("a value is missing"),
        Some(Tok::Text(t)) => {
            if op.numeric_only() && !matches!(&t, Text::Bare(b) if b.parse::<f64>().is_ok()) {
                // AWS compares numbers only; what it says about other values is its call.
                return Err(Problem::Unjudged);
            }
            Ok(t)
        }
        _ => bad(&format!("a value is missing after {}", op.text())),
    }
}

// ---------------------------------------------------------------------------------------------------------
// JSON patterns.

fn parse_json(body: &str) -> Parsed<JsonExpr> {
    let mut toks = Tokens {
        toks: tokens(body, false)?,
        at: 0,
    };
    if toks.done() {
        return bad("an empty { }");
    }
    let expr = or_expr(
        &mut toks,
        &json_test,
        |a, b| JsonExpr::And(Box::new(a), Box::new(b)),
        |a, b| JsonExpr::Or(Box::new(a), Box::new(b)),
    )?;
    match toks.peek() {
        None => Ok(expr),
        Some(Tok::Close) => bad("unbalanced parentheses"),
        Some(_) => bad("conditions are joined with && or ||"),
    }
}

fn keyword(t: Option<&Tok>, word: &str) -> bool {
    matches!(t, Some(Tok::Text(Text::Bare(b))) if b.eq_ignore_ascii_case(word))
}

fn json_test(toks: &mut Tokens) -> Parsed<JsonExpr> {
    let selector = match toks.next() {
        Some(Tok::Text(Text::Bare(s))) if s.starts_with('$') => selector(&s)?,
        _ => return bad("a JSON condition starts with a $. selector, like $.level"),
    };
    let test = match toks.next() {
        Some(Tok::Op(op)) => JsonTest::Compare(op, value(toks, op)?),
        Some(t) if keyword(Some(&t), "IS") => match toks.next() {
            t if keyword(t.as_ref(), "NULL") => JsonTest::IsNull,
            t if keyword(t.as_ref(), "TRUE") => JsonTest::IsTrue,
            t if keyword(t.as_ref(), "FALSE") => JsonTest::IsFalse,
            _ => return bad("IS takes NULL, TRUE or FALSE"),
        },
        Some(t) if keyword(Some(&t), "NOT") => match toks.next() {
            t if keyword(t.as_ref(), "EXISTS") => JsonTest::NotExists,
            _ => return bad("NOT takes EXISTS"),
        },
        Some(t) if keyword(Some(&t), "EXISTS") => JsonTest::Exists,
        _ => return bad("an operator (= != > < >= <=, IS, NOT EXISTS) is missing"),
    };
    Ok(JsonExpr::Test { selector, test })
}

/// `$.a.b[0].c`, `$.a[*]`, `$.*`: other shapes are AWS's to judge.
fn selector(text: &str) -> Parsed<Selector> {
    let mut steps = Vec::new();
    let mut rest = text.strip_prefix('$').unwrap_or(text);
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            let key = after.get(..end).unwrap_or_default();
            if key.is_empty() {
                return Err(Problem::Unjudged);
            }
            steps.push(if key == "*" {
                Step::Any
            } else {
                Step::Key(key.to_owned())
            });
            rest = after.get(end..).unwrap_or_default();
        } else if let Some(after) = rest.strip_prefix('[') {
            let (inside, after) = after.split_once(']').ok_or(Problem::Unjudged)?;
            steps.push(match inside {
                "*" => Step::Any,
                n => Step::Index(n.parse().map_err(|_| Problem::Unjudged)?),
            });
            rest = after;
        } else {
            return Err(Problem::Unjudged);
        }
    }
    if steps.is_empty() {
        return Err(Problem::Unjudged);
    }
    Ok(Selector {
        text: text.to_owned(),
        steps,
    })
}

impl Selector {
    /// Every value the path reaches.
    fn resolve<'v>(&self, root: &'v serde_json::Value) -> Vec<&'v serde_json::Value> {
        let mut at = vec![root];
        for step in &self.steps {
            at = at
                .into_iter()
                .flat_map(|v| -> Vec<&serde_json::Value> {
                    match (step, v) {
                        (Step::Key(k), serde_json::Value::Object(m)) => {
                            m.get(k).into_iter().collect()
                        }
                        (Step::Index(i), serde_json::Value::Array(a)) => {
                            a.get(*i).into_iter().collect()
                        }
                        (Step::Any, serde_json::Value::Object(m)) => m.values().collect(),
                        (Step::Any, serde_json::Value::Array(a)) => a.iter().collect(),
                        _ => vec![],
                    }
                })
                .collect();
        }
        at
    }
}

impl JsonExpr {
    fn matches(&self, root: &serde_json::Value) -> bool {
        match self {
            JsonExpr::And(a, b) => a.matches(root) && b.matches(root),
            JsonExpr::Or(a, b) => a.matches(root) || b.matches(root),
            JsonExpr::Test { selector, test } => {
                let found = selector.resolve(root);
                match test {
                    JsonTest::NotExists => found.is_empty(),
                    JsonTest::Exists => !found.is_empty(),
                    JsonTest::IsNull => found.iter().any(|v| v.is_null()),
                    JsonTest::IsTrue => found.iter().any(|v| v.as_bool() == Some(true)),
                    JsonTest::IsFalse => found.iter().any(|v| v.as_bool() == Some(false)),
                    JsonTest::Compare(op, value) => found.iter().any(|v| {
                        let text = match v {
                            serde_json::Value::String(s) => s.clone(),
                            serde_json::Value::Object(_) | serde_json::Value::Array(_) => {
                                return false;
                            }
                            other => other.to_string(),
                        };
                        compare(&text, *op, value)
                    }),
                }
            }
        }
    }
}

/// A field's text against a value: numbers numerically, strings with `*` wildcards, regexes by search.
fn compare(field: &str, op: Op, value: &Text) -> bool {
    let number = |s: &str| s.trim().parse::<f64>().ok();
    if op.numeric_only() {
        let (Some(f), Text::Bare(v)) = (number(field), value) else {
            return false;
        };
        let Some(v) = number(v) else {
            return false;
        };
        return match op {
            Op::Gt => f > v,
            Op::Lt => f < v,
            Op::Ge => f >= v,
            _ => f <= v,
        };
    }
    let equal = match value {
        Text::Regex(re) => re.0.is_match(field),
        Text::Bare(v) => match (number(field), number(v)) {
            (Some(f), Some(v)) => f == v,
            _ => wildcard(field, v),
        },
        Text::Quoted(v) => wildcard(field, v),
    };
    equal == (op == Op::Eq)
}

/// `*` matches any run of characters; everything else literally.
fn wildcard(text: &str, pattern: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return true;
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = rest.get(i + part.len()..).unwrap_or_default(),
            None => return false,
        }
    }
    rest.ends_with(last)
}

// ---------------------------------------------------------------------------------------------------------
// Unstructured terms.

fn parse_terms(text: &str) -> Parsed<Vec<Term>> {
    let mut terms = Vec::new();
    let mut rest = text.trim_start();
    while let Some(c) = rest.chars().next() {
        let (kind, body) = match c {
            '?' => (TermKind::Optional, rest.get(1..).unwrap_or_default()),
            '-' if rest.len() > 1 => (TermKind::Excluded, rest.get(1..).unwrap_or_default()),
            _ => (TermKind::Required, rest),
        };
        let (term, after) = if let Some(q) = body.strip_prefix('"') {
            let (s, after) = quoted(q)?;
            (Text::Quoted(s), after)
        } else if let Some(r) = body.strip_prefix('%') {
            let (re, after) = regex_text(r)?;
            (Text::Regex(re), after)
        } else {
            let end = body.find(char::is_whitespace).unwrap_or(body.len());
            let word = body.get(..end).unwrap_or_default();
            if word.contains('"') {
                return if text.matches('"').count() % 2 == 1 {
                    bad("unbalanced quote")
                } else {
                    Err(Problem::Unjudged)
                };
            }
            if word.is_empty() || word == "&&" || word == "||" || word.contains('%') {
                return Err(Problem::Unjudged);
            }
            (
                Text::Bare(word.to_owned()),
                body.get(end..).unwrap_or_default(),
            )
        };
        if matches!(&term, Text::Quoted(s) if s.is_empty()) {
            return Err(Problem::Unjudged);
        }
        if !after.is_empty() && !after.starts_with(char::is_whitespace) {
            // `"a"b`: quotes glued to more text.
            return Err(Problem::Unjudged);
        }
        terms.push(Term { kind, text: term });
        rest = after.trim_start();
    }
    Ok(terms)
}

impl Text {
    fn found_in(&self, message: &str) -> bool {
        match self {
            Text::Bare(s) | Text::Quoted(s) => message.contains(s.as_str()),
            Text::Regex(re) => re.0.is_match(message),
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Space-delimited patterns.

fn parse_delimited(body: &str) -> Parsed<Vec<Field>> {
    let toks = tokens(body, true)?;
    let mut fields = Vec::new();
    for part in toks.split(|t| *t == Tok::Comma) {
        let field = match part {
            [] => return bad("an empty field between commas"),
            [Tok::Text(Text::Bare(b))] if b == "..." => Field::Ellipsis,
            [Tok::Text(Text::Bare(b))] => Field::Named(b.clone()),
            [Tok::Text(t)] => Field::Literal(t.clone()),
            _ => {
                let mut toks = Tokens {
                    toks: part.to_vec(),
                    at: 0,
                };
                let expr = or_expr(
                    &mut toks,
                    &field_test,
                    |a, b| FieldExpr::And(Box::new(a), Box::new(b)),
                    |a, b| FieldExpr::Or(Box::new(a), Box::new(b)),
                )?;
                if !toks.done() {
                    return Err(Problem::Unjudged);
                }
                Field::Condition(expr)
            }
        };
        fields.push(field);
    }
    Ok(fields)
}

fn field_test(toks: &mut Tokens) -> Parsed<FieldExpr> {
    let name = match toks.next() {
        Some(Tok::Text(Text::Bare(n))) if n != "..." => n,
        Some(Tok::Op(_)) => return bad("a field condition starts with the field's name"),
        _ => return Err(Problem::Unjudged),
    };
    match toks.next() {
        Some(Tok::Op(op)) => Ok(FieldExpr::Compare {
            value: value(toks, op)?,
            name,
            op,
        }),
        _ => bad("an operator (= != > < >= <=) is missing"),
    }
}

/// The message's fields: split on spaces, with `"…"` and `[…]` each one field (without the delimiters).
fn split_fields(message: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = message.trim_start();
    while let Some(c) = rest.chars().next() {
        let close = match c {
            '"' => Some('"'),
            '[' => Some(']'),
            _ => None,
        };
        let (field, after) = match close.and_then(|close| {
            let inner = rest.get(1..)?;
            let end = inner.find(close)?;
            Some((inner.get(..end)?, inner.get(end + 1..)?))
        }) {
            Some(found) => found,
            None => {
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                (
                    rest.get(..end).unwrap_or_default(),
                    rest.get(end..).unwrap_or_default(),
                )
            }
        };
        out.push(field);
        rest = after.trim_start();
    }
    out
}

/// How many ways of spreading words over ellipses one message may try: several `...` over a long line
/// would otherwise take exponential time (the simulator evaluates patterns on every event).
const MATCH_BUDGET: u32 = 10_000;

/// Assigns words to fields (an ellipsis takes any number), then checks every field's condition.
fn match_fields<'f, 'm>(
    fields: &'f [Field],
    words: &[&'m str],
    assigned: &mut Vec<(&'f Field, &'m str)>,
    budget: &mut u32,
) -> bool {
    if *budget == 0 {
        return false;
    }
    *budget -= 1;
    let Some((field, more)) = fields.split_first() else {
        return words.is_empty() && conditions_hold(assigned);
    };
    if *field == Field::Ellipsis {
        return (0..=words.len()).any(|skip| {
            words
                .get(skip..)
                .is_some_and(|rest| match_fields(more, rest, assigned, budget))
        });
    }
    let Some((word, rest)) = words.split_first() else {
        return false;
    };
    assigned.push((field, word));
    let ok = match_fields(more, rest, assigned, budget);
    assigned.pop();
    ok
}

impl Field {
    fn name(&self) -> Option<&str> {
        match self {
            Field::Named(n) => Some(n),
            Field::Condition(e) => Some(e.first_name()),
            Field::Ellipsis | Field::Literal(_) => None,
        }
    }
}

impl FieldExpr {
    fn first_name(&self) -> &str {
        match self {
            FieldExpr::And(a, _) | FieldExpr::Or(a, _) => a.first_name(),
            FieldExpr::Compare { name, .. } => name,
        }
    }

    /// `own` is the field's word; a condition naming another field reads that field's word.
    fn holds(&self, own: &str, assigned: &[(&Field, &str)]) -> bool {
        match self {
            FieldExpr::And(a, b) => a.holds(own, assigned) && b.holds(own, assigned),
            FieldExpr::Or(a, b) => a.holds(own, assigned) || b.holds(own, assigned),
            FieldExpr::Compare { name, op, value } => {
                let word = assigned
                    .iter()
                    .find(|(f, _)| f.name() == Some(name.as_str()))
                    .map_or(own, |(_, w)| *w);
                compare(word, *op, value)
            }
        }
    }
}

fn conditions_hold(assigned: &[(&Field, &str)]) -> bool {
    assigned.iter().all(|(field, word)| match field {
        Field::Ellipsis | Field::Named(_) => true,
        Field::Literal(t) => compare(word, Op::Eq, t),
        Field::Condition(e) => e.holds(word, assigned),
    })
}

// ---------------------------------------------------------------------------------------------------------
// Writing a pattern back.

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Text::Bare(s) => f.write_str(s),
            Text::Quoted(s) => write!(f, "\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")),
            Text::Regex(re) => write!(f, "%{}%", re.0.as_str()),
        }
    }
}

impl fmt::Display for JsonExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonExpr::And(a, b) => write!(f, "({a} && {b})"),
            JsonExpr::Or(a, b) => write!(f, "({a} || {b})"),
            JsonExpr::Test { selector, test } => {
                let s = &selector.text;
                match test {
                    JsonTest::Compare(op, v) => write!(f, "{s} {} {v}", op.text()),
                    JsonTest::IsNull => write!(f, "{s} IS NULL"),
                    JsonTest::IsTrue => write!(f, "{s} IS TRUE"),
                    JsonTest::IsFalse => write!(f, "{s} IS FALSE"),
                    JsonTest::Exists => write!(f, "{s} EXISTS"),
                    JsonTest::NotExists => write!(f, "{s} NOT EXISTS"),
                }
            }
        }
    }
}

impl fmt::Display for FieldExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldExpr::And(a, b) => write!(f, "({a} && {b})"),
            FieldExpr::Or(a, b) => write!(f, "({a} || {b})"),
            FieldExpr::Compare { name, op, value } => write!(f, "{name} {} {value}", op.text()),
        }
    }
}

impl fmt::Display for FilterPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilterPattern::All => Ok(()),
            FilterPattern::Unjudged(text) => f.write_str(text),
            FilterPattern::Terms(terms) => {
                for (i, t) in terms.iter().enumerate() {
                    let sep = if i == 0 { "" } else { " " };
                    let mark = match t.kind {
                        TermKind::Required => "",
                        TermKind::Optional => "?",
                        TermKind::Excluded => "-",
                    };
                    write!(f, "{sep}{mark}{}", t.text)?;
                }
                Ok(())
            }
            FilterPattern::Json(e) => write!(f, "{{ {e} }}"),
            FilterPattern::Delimited(fields) => {
                f.write_str("[")?;
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    match field {
                        Field::Ellipsis => f.write_str("...")?,
                        Field::Named(n) => f.write_str(n)?,
                        Field::Literal(t) => write!(f, "{t}")?,
                        Field::Condition(e) => write!(f, "{e}")?,
                    }
                }
                f.write_str("]")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    enum Want {
        /// Parsed and evaluated here: (messages it matches, messages it does not).
        Judged(&'static [&'static str], &'static [&'static str]),
        /// Accepted and left to AWS.
        ToAws,
        /// Refused, with this in the message.
        Refused(&'static str),
    }
    use Want::*;

    const LOG: &str = r#"{"level":"error","latency":250,"user":{"id":1,"name":"Ann"},"users":[{"name":"Bo","email":"bo@example.com"}],"ok":true,"gone":null,"msg":"bind: address already in use","ip":"123.123.4.5"}"#;
    const QUIET: &str =
        r#"{"level":"info","latency":40,"user":{"id":2},"users":[],"ok":false,"ip":"10.0.0.1"}"#;
    const ACCESS: &str =
        r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534"#;
    const ACCESS_OK: &str =
        r#"10.0.0.9 - ann [10/Oct/2000:13:25:16 -0700] "GET /api HTTP/1.0" 200 99"#;

    #[test]
    fn the_documented_grammar_is_accepted_and_evaluated_and_only_malformed_patterns_refused() {
        let table: &[(&str, Want)] = &[
            ("", Judged(&["anything"], &[])),
            ("ERROR", Judged(&["an ERROR here"], &["error", "WARN"])),
            (r#""timed out""#, Judged(&["it timed out"], &["timed  out"])),
            (
                r#"ERROR -"health check""#,
                Judged(&["ERROR x"], &["ERROR health check"]),
            ),
            ("ERROR -DEBUG", Judged(&["ERROR"], &["ERROR DEBUG"])),
            ("?ERROR ?WARN", Judged(&["WARN a", "ERROR"], &["INFO"])),
            ("%ERROR|WARN%", Judged(&["x WARN"], &["INFO"])),
            (
                "%[0-9]{3} ms% ERROR",
                Judged(&["ERROR took 123 ms"], &["ERROR took 12 ms"]),
            ),
            ("日本語 🦀", Judged(&["a 日本語 b 🦀"], &["日本"])),
            ("{ $.latency > 100 }", Judged(&[LOG], &[QUIET, "not json"])),
            ("{$.latency>=250}", Judged(&[LOG], &[QUIET])),
            ("{ $.latency <= 40 }", Judged(&[QUIET], &[LOG])),
            ("{ $.latency < 41.5 }", Judged(&[QUIET], &[LOG])),
            ("{ ($.user.id = 1) }", Judged(&[LOG], &[QUIET])),
            (r#"{ $.level = "error" }"#, Judged(&[LOG], &[QUIET])),
            ("{ $.level = error }", Judged(&[LOG], &[QUIET])),
            ("{ $.level != error }", Judged(&[QUIET], &[LOG])),
            ("{ $.ip != 123.123.* }", Judged(&[QUIET], &[LOG])),
            (r#"{ $.msg = "*already*" }"#, Judged(&[LOG], &[QUIET])),
            (
                "{ $.msg = %address (already )?in use% }",
                Judged(&[LOG], &[QUIET]),
            ),
            (
                r#"{ $.users[0].email = "bo@example.com" }"#,
                Judged(&[LOG], &[QUIET]),
            ),
            ("{ $.users[*].name = Bo }", Judged(&[LOG], &[QUIET])),
            ("{ $.gone IS NULL }", Judged(&[LOG], &[QUIET])),
            ("{ $.ok IS TRUE }", Judged(&[LOG], &[QUIET])),
            ("{ $.ok is false }", Judged(&[QUIET], &[LOG])),
            ("{ $.gone NOT EXISTS }", Judged(&[QUIET], &[LOG])),
            (
                r#"{ ($.user.id = 2 && $.latency < 100) || $.users[0].name = "Bo" }"#,
                Judged(&[LOG, QUIET], &[r#"{"user":{"id":2},"latency":500}"#]),
            ),
            (
                "{ $.level = error && ($.latency > 1000 || $.ok IS TRUE) }",
                Judged(&[LOG], &[QUIET]),
            ),
            (
                "[ip, user, username, timestamp, request, status_code, bytes]",
                Judged(&[ACCESS, ACCESS_OK], &["too few fields"]),
            ),
            ("[ip, user, ...]", Judged(&[ACCESS, "a b"], &["a"])),
            (
                "[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]",
                Judged(&[ACCESS], &[ACCESS_OK]),
            ),
            (
                "[..., status_code = 404, bytes > 1000]",
                Judged(&[ACCESS], &[ACCESS_OK]),
            ),
            (
                "[..., status = 4* || status = 5*, bytes]",
                Judged(&[ACCESS], &[ACCESS_OK]),
            ),
            (
                "[w1, w2, w3, w4, w5 = %GET% && w5 != *api*, ...]",
                Judged(&[ACCESS], &[ACCESS_OK]),
            ),
            (r#"[ip="127.0.0.1", ...]"#, Judged(&[ACCESS], &[ACCESS_OK])),
            ("[a,b]", Judged(&["x y"], &["x y z"])),
            // Forms AWS may take that ecsdeck does not evaluate: sent as typed.
            ("{ $.a > abc }", ToAws),
            ("{ $.a['b c'] = 1 }", ToAws),
            ("ERROR && WARN", ToAws),
            ("%(?=a)b%", ToAws),
            (r#"abc"def ghi""#, ToAws),
            ("$.a = 1 }", Judged(&["$.a = 1 }"], &["$.a = 1"])),
            // Certainly malformed: refused with the reason.
            (r#"ERROR "unclosed"#, Refused("unbalanced quote")),
            ("{ level = 1 }", Refused("$. selector")),
            ("{ $.a = 1", Refused("missing closing }")),
            ("{ $.a = 1 } ERROR", Refused("nothing may follow")),
            ("{ }", Refused("empty")),
            ("{ $.a }", Refused("operator")),
            ("{ $.a = }", Refused("value is missing")),
            ("{ $.a = 1 && }", Refused("condition")),
            ("{ ($.a = 1 }", Refused("parentheses")),
            ("{ $.a = 1) }", Refused("parentheses")),
            ("{ $.a == 1 }", Refused("==")),
            ("{ $.a = 1 $.b = 2 }", Refused("&& or ||")),
            ("{ $.a IS MAYBE }", Refused("IS takes")),
            ("{ $.a = 1 & $.b = 2 }", Refused("&&")),
            ("[a, b", Refused("missing closing ]")),
            ("[a, , b]", Refused("empty field")),
            ("[a, b = ]", Refused("value is missing")),
            ("%unclosed", ToAws),
            ("{ $.a = %abc }", ToAws),
            (&"a".repeat(1025), Refused("1024 characters")),
        ];
        for (text, want) in table {
            let got = FilterPattern::parse(Some(text));
            match (want, &got) {
                (Judged(yes, no), Ok(p)) => {
                    assert!(!matches!(p, FilterPattern::Unjudged(_)), "{text}: {p:?}");
                    for m in *yes {
                        assert!(p.matches(m), "{text} should match {m}");
                    }
                    for m in *no {
                        assert!(!p.matches(m), "{text} should not match {m}");
                    }
                    let again = FilterPattern::parse(Some(&p.to_string()));
                    assert_eq!(again.as_ref(), Ok(p), "{text} written as {p}");
                }
                (ToAws, Ok(FilterPattern::Unjudged(t))) => assert_eq!(t, text),
                (Refused(why), Err(e)) => {
                    assert!(e.starts_with("Invalid filter pattern"), "{text}: {e}");
                    assert!(e.contains(why), "{text}: {e}");
                }
                _ => panic!("{text}: got {got:?}"),
            }
        }
    }

    #[test]
    fn wildcards_match_like_globs() {
        assert!(wildcard("123.123.4.5", "123.123.*"));
        assert!(wildcard("abc", "*"));
        assert!(wildcard("abc", "a*c"));
        assert!(wildcard("abc", "*b*"));
        assert!(!wildcard("abc", "a*d"));
        assert!(!wildcard("abc", "ab"));
        assert!(wildcard("a*c", "a*c"));
        assert!(wildcard("日本語", "日*"));
    }
}
