//! A small arithmetic language for formulas the seeds state in prose, such as
//! the external-contact upgrade price (`wecom-admin/external-contacts.proration`).
//!
//! Grammar: numbers, identifiers, `+ - * /`, parentheses, unary minus, and
//! the functions `min`, `max` (two arguments), `floor`, `ceil`, `round` (one).
//! Parsing happens once when the rulebook loads; evaluation is a tree walk.

use std::collections::BTreeSet;
use std::fmt;

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A literal number.
    Num(f64),
    /// A variable.
    Var(String),
    /// Negation.
    Neg(Box<Expr>),
    /// A binary operation.
    Bin(Op, Box<Expr>, Box<Expr>),
    /// A function call.
    Call(Func, Vec<Expr>),
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

/// A built-in function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// Smaller of two.
    Min,
    /// Larger of two.
    Max,
    /// Round down.
    Floor,
    /// Round up.
    Ceil,
    /// Round half away from zero.
    Round,
}

impl Func {
    fn by_name(name: &str) -> Option<(Func, usize)> {
        Some(match name {
            "min" => (Func::Min, 2),
            "max" => (Func::Max, 2),
            "floor" => (Func::Floor, 1),
            "ceil" => (Func::Ceil, 1),
            "round" => (Func::Round, 1),
            _ => return None,
        })
    }
}

/// Why a formula failed to parse or evaluate.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FormulaError {
    /// The text is not a valid expression.
    #[error("syntax error at character {at}: {message}")]
    Syntax {
        /// 0-based character position.
        at: usize,
        /// What was expected.
        message: String,
    },
    /// A variable has no value.
    #[error("variable `{0}` has no value")]
    Unbound(String),
    /// Division by zero.
    #[error("division by zero")]
    DivisionByZero,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Ident(String),
    Sym(char),
}

fn lex(src: &str) -> Result<Vec<(usize, Tok)>, FormulaError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() || c == '.' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            let n = text.parse::<f64>().map_err(|_| FormulaError::Syntax {
                at: start,
                message: format!("bad number `{text}`"),
            })?;
            out.push((start, Tok::Num(n)));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push((start, Tok::Ident(chars[start..i].iter().collect())));
        } else if "+-*/(),".contains(c) {
            out.push((i, Tok::Sym(c)));
            i += 1;
        } else {
            return Err(FormulaError::Syntax {
                at: i,
                message: format!("unexpected character `{c}`"),
            });
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    pos: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(_, t)| t)
    }

    fn at(&self) -> usize {
        self.toks.get(self.pos).map(|(a, _)| *a).unwrap_or(self.end)
    }

    fn fail<T>(&self, message: impl Into<String>) -> Result<T, FormulaError> {
        Err(FormulaError::Syntax {
            at: self.at(),
            message: message.into(),
        })
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(&Tok::Sym(c)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expr(&mut self) -> Result<Expr, FormulaError> {
        let mut lhs = self.term()?;
        loop {
            let op = if self.eat('+') {
                Op::Add
            } else if self.eat('-') {
                Op::Sub
            } else {
                return Ok(lhs);
            };
            let rhs = self.term()?;
            lhs = Expr::Bin(op, Box::new(lhs), Box::new(rhs));
        }
    }

    fn term(&mut self) -> Result<Expr, FormulaError> {
        let mut lhs = self.unary()?;
        loop {
            let op = if self.eat('*') {
                Op::Mul
            } else if self.eat('/') {
                Op::Div
            } else {
                return Ok(lhs);
            };
            let rhs = self.unary()?;
            lhs = Expr::Bin(op, Box::new(lhs), Box::new(rhs));
        }
    }

    fn unary(&mut self) -> Result<Expr, FormulaError> {
        if self.eat('-') {
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Expr, FormulaError> {
        match self.peek().cloned() {
            Some(Tok::Num(n)) => {
                self.pos += 1;
                Ok(Expr::Num(n))
            }
            Some(Tok::Ident(name)) => {
                self.pos += 1;
                if self.eat('(') {
                    let Some((func, arity)) = Func::by_name(&name) else {
                        return self.fail(format!("unknown function `{name}`"));
                    };
                    let mut args = vec![self.expr()?];
                    while self.eat(',') {
                        args.push(self.expr()?);
                    }
                    if !self.eat(')') {
                        return self.fail("expected `)`");
                    }
                    if args.len() != arity {
                        return self.fail(format!("`{name}` takes {arity} argument(s)"));
                    }
                    Ok(Expr::Call(func, args))
                } else {
                    Ok(Expr::Var(name))
                }
            }
            Some(Tok::Sym('(')) => {
                self.pos += 1;
                let e = self.expr()?;
                if !self.eat(')') {
                    return self.fail("expected `)`");
                }
                Ok(e)
            }
            _ => self.fail("expected a number, a variable or `(`"),
        }
    }
}

impl Expr {
    /// Parses an expression.
    pub fn parse(src: &str) -> Result<Expr, FormulaError> {
        let toks = lex(src)?;
        let mut p = Parser {
            toks,
            pos: 0,
            end: src.chars().count(),
        };
        let e = p.expr()?;
        if p.pos != p.toks.len() {
            return p.fail("unexpected text after the expression");
        }
        Ok(e)
    }

    /// The variables the expression uses.
    pub fn variables(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        self.collect(&mut out);
        out
    }

    fn collect(&self, out: &mut BTreeSet<String>) {
        match self {
            Expr::Num(_) => {}
            Expr::Var(v) => {
                out.insert(v.clone());
            }
            Expr::Neg(e) => e.collect(out),
            Expr::Bin(_, a, b) => {
                a.collect(out);
                b.collect(out);
            }
            Expr::Call(_, args) => args.iter().for_each(|a| a.collect(out)),
        }
    }

    /// Evaluates with variable values looked up by `lookup`.
    pub fn eval(&self, lookup: &dyn Fn(&str) -> Option<f64>) -> Result<f64, FormulaError> {
        Ok(match self {
            Expr::Num(n) => *n,
            Expr::Var(v) => lookup(v).ok_or_else(|| FormulaError::Unbound(v.clone()))?,
            Expr::Neg(e) => -e.eval(lookup)?,
            Expr::Bin(op, a, b) => {
                let (a, b) = (a.eval(lookup)?, b.eval(lookup)?);
                match op {
                    Op::Add => a + b,
                    Op::Sub => a - b,
                    Op::Mul => a * b,
                    Op::Div if b == 0.0 => return Err(FormulaError::DivisionByZero),
                    Op::Div => a / b,
                }
            }
            Expr::Call(f, args) => {
                let v: Vec<f64> = args
                    .iter()
                    .map(|a| a.eval(lookup))
                    .collect::<Result<_, _>>()?;
                match f {
                    Func::Min => v[0].min(v[1]),
                    Func::Max => v[0].max(v[1]),
                    Func::Floor => v[0].floor(),
                    Func::Ceil => v[0].ceil(),
                    Func::Round => v[0].round(),
                }
            }
        })
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Num(n) => write!(f, "{n}"),
            Expr::Var(v) => f.write_str(v),
            Expr::Neg(e) => write!(f, "-({e})"),
            Expr::Bin(op, a, b) => {
                let s = match op {
                    Op::Add => "+",
                    Op::Sub => "-",
                    Op::Mul => "*",
                    Op::Div => "/",
                };
                write!(f, "({a} {s} {b})")
            }
            Expr::Call(func, args) => {
                let name = match func {
                    Func::Min => "min",
                    Func::Max => "max",
                    Func::Floor => "floor",
                    Func::Ceil => "ceil",
                    Func::Round => "round",
                };
                write!(f, "{name}(")?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str(")")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(src: &str, vars: &[(&str, f64)]) -> Result<f64, FormulaError> {
        Expr::parse(src)?.eval(&|name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| *v))
    }

    #[test]
    fn precedence_and_associativity() {
        assert_eq!(eval("1 + 2 * 3", &[]).unwrap(), 7.0);
        assert_eq!(eval("(1 + 2) * 3", &[]).unwrap(), 9.0);
        assert_eq!(eval("10 - 4 - 3", &[]).unwrap(), 3.0);
        assert_eq!(eval("8 / 4 / 2", &[]).unwrap(), 1.0);
        assert_eq!(eval("-2 * -3", &[]).unwrap(), 6.0);
        assert_eq!(eval("max(1, min(5, 3))", &[]).unwrap(), 3.0);
        assert_eq!(
            eval("ceil(2.1) + floor(2.9) + round(2.5)", &[]).unwrap(),
            8.0
        );
    }

    #[test]
    fn upgrade_price_of_the_external_contact_article() {
        // 5,000 → 20,000 contacts after 65 of 365 days: the remaining 300 days
        // of the new tier minus the remaining 300 days of the old one.
        let v = eval(
            "y / 365 * (365 - n) - x / 365 * (365 - n)",
            &[("x", 500.0), ("y", 2000.0), ("n", 65.0)],
        )
        .unwrap();
        assert!((v - 1500.0 * 300.0 / 365.0).abs() < 1e-9);
    }

    #[test]
    fn errors_are_reported() {
        assert!(matches!(eval("1 +", &[]), Err(FormulaError::Syntax { .. })));
        assert!(matches!(eval("(1", &[]), Err(FormulaError::Syntax { .. })));
        assert!(matches!(eval("1 2", &[]), Err(FormulaError::Syntax { .. })));
        assert!(matches!(
            eval("pow(1, 2)", &[]),
            Err(FormulaError::Syntax { .. })
        ));
        assert!(matches!(
            eval("min(1)", &[]),
            Err(FormulaError::Syntax { .. })
        ));
        assert!(matches!(
            eval("1 ÷ 2", &[]),
            Err(FormulaError::Syntax { .. })
        ));
        assert_eq!(eval("a + 1", &[]), Err(FormulaError::Unbound("a".into())));
        assert_eq!(eval("1 / 0", &[]), Err(FormulaError::DivisionByZero));
    }

    #[test]
    fn lists_variables() {
        let e = Expr::parse("y / 365 * (365 - n) - x").unwrap();
        let v: Vec<_> = e.variables().into_iter().collect();
        assert_eq!(v, ["n", "x", "y"]);
    }
}
