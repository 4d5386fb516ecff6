//! Evaluation: from component inputs to a total, a verdict and an explanation.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::ladder::Step;
use super::panel::{
    DropReason, ItemPanelOutcome, PanelError, PanelOutcome, PanelPolicy, Trim, trim, trim_per_item,
};
use super::{Component, ExactPoints, Lang, Scheme, Score, SourceKind, Weight};

/// What was given for one component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Input {
    /// A finished score, for every source except panel.
    Score(Score),
    /// One mark per judge, for a panel trimmed on the total.
    Marks(Vec<Score>),
    /// `[judge][item]`, for a panel trimmed per rubric item.
    ItemMarks(Vec<Vec<Score>>),
}

/// The inputs of one attempt by one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inputs {
    /// 1-based. A failed attempt `n` is the `n`-th failure, since a retake only follows a
    /// failure; schemes that count failures per year (S4 routine) pass that count instead.
    #[serde(default = "first")]
    pub attempt: u32,
    #[serde(default)]
    pub values: BTreeMap<String, Input>,
}

fn first() -> u32 {
    1
}

impl Default for Inputs {
    fn default() -> Inputs {
        Inputs {
            attempt: 1,
            values: BTreeMap::new(),
        }
    }
}

impl Inputs {
    pub fn new() -> Inputs {
        Inputs::default()
    }

    pub fn attempt(mut self, attempt: u32) -> Inputs {
        self.attempt = attempt;
        self
    }

    pub fn score(mut self, key: &str, score: Score) -> Inputs {
        self.values.insert(key.to_string(), Input::Score(score));
        self
    }

    pub fn marks(mut self, key: &str, marks: Vec<Score>) -> Inputs {
        self.values.insert(key.to_string(), Input::Marks(marks));
        self
    }

    pub fn item_marks(mut self, key: &str, marks: Vec<Vec<Score>>) -> Inputs {
        self.values.insert(key.to_string(), Input::ItemMarks(marks));
        self
    }
}

/// Why inputs could not be evaluated. `code()` is stable.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InputError {
    #[error("attempt: must be 1 or more")]
    AttemptZero,
    #[error("{0}: is not a component of this scheme")]
    UnknownComponent(String),
    #[error("{component}: expects {expected}")]
    WrongKind {
        component: String,
        expected: &'static str,
    },
    #[error("{component}: {got} marks given, at least {min} needed")]
    TooFewMarks {
        component: String,
        got: usize,
        min: usize,
    },
    #[error("{component}: {error}")]
    Panel {
        component: String,
        error: PanelError,
    },
}

impl InputError {
    pub fn code(&self) -> &'static str {
        match self {
            InputError::AttemptZero => "attempt-zero",
            InputError::UnknownComponent(_) => "unknown-component",
            InputError::WrongKind { .. } => "wrong-input",
            InputError::TooFewMarks { .. } => "too-few-marks",
            InputError::Panel { error, .. } => error.code(),
        }
    }
}

/// Every problem with one set of inputs.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub struct InputErrors(pub Vec<InputError>);

impl InputErrors {
    pub fn codes(&self) -> Vec<&'static str> {
        self.0.iter().map(InputError::code).collect()
    }
}

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// How a panel component's marks were combined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "trim", rename_all = "snake_case")]
pub enum PanelDetail {
    Total(PanelOutcome),
    PerItem(ItemPanelOutcome),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComponentResult {
    pub key: String,
    pub weight: Weight,
    pub source: SourceKind,
    /// The score as shown, rounded to the scheme's decimals; `None` when missing.
    pub score: Option<Score>,
    /// `score × weight`, exact.
    pub contribution: Option<ExactPoints>,
    pub panel: Option<PanelDetail>,
}

/// The outcome of a complete evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The exact weighted sum of the shown component scores.
    pub exact_total: ExactPoints,
    /// `exact_total` rounded half-up once; pass and level compare this.
    pub total: Score,
    pub passed: bool,
    /// Key of the highest band whose minimum is ≤ `total`.
    pub level: Option<String>,
    /// The ladder step for this attempt when failed.
    pub consequence: Option<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    Complete(Verdict),
    /// Some components have no input yet: no total is given rather than a misleading
    /// partial one.
    Incomplete {
        missing: Vec<String>,
    },
}

/// One step of the reasoning, kept as data so that each front end renders it in its own
/// language and layout. Judge and item numbers are 0-based here and 1-based when rendered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Line {
    Dropped {
        component: String,
        item: Option<usize>,
        judge: usize,
        mark: Score,
        reason: DropReason,
    },
    PanelMean {
        component: String,
        item: Option<usize>,
        kept: usize,
        mean: Score,
    },
    Diverged {
        component: String,
        item: Option<usize>,
        range: Score,
        tolerance: Score,
    },
    Rounded {
        component: String,
        from: Score,
        to: Score,
    },
    Component {
        component: String,
        score: Score,
        weight: Weight,
        contribution: ExactPoints,
    },
    Missing {
        component: String,
    },
    Total {
        exact: ExactPoints,
        total: Score,
    },
    Pass {
        total: Score,
        pass_line: Score,
        passed: bool,
    },
    Level {
        band: Option<String>,
        min: Option<Score>,
    },
    Consequence {
        failure: u32,
        step: String,
    },
    Hold,
    Incomplete {
        missing: Vec<String>,
    },
}

/// The full, self-explaining result of one attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    pub scheme_key: String,
    pub scheme_version: u32,
    pub attempt: u32,
    pub decimals: u8,
    /// In scheme order.
    pub components: Vec<ComponentResult>,
    pub status: Status,
    /// A panel's kept marks diverged beyond its tolerance: the verdict is computed but
    /// must be confirmed by a person before it is published.
    pub hold: bool,
    pub lines: Vec<Line>,
}

impl Evaluation {
    pub fn verdict(&self) -> Option<&Verdict> {
        match &self.status {
            Status::Complete(v) => Some(v),
            Status::Incomplete { .. } => None,
        }
    }

    pub fn total(&self) -> Option<Score> {
        self.verdict().map(|v| v.total)
    }

    pub fn passed(&self) -> Option<bool> {
        self.verdict().map(|v| v.passed)
    }

    pub fn level(&self) -> Option<&str> {
        self.verdict().and_then(|v| v.level.as_deref())
    }

    pub fn consequence(&self) -> Option<&Step> {
        self.verdict().and_then(|v| v.consequence.as_ref())
    }

    pub fn component(&self, key: &str) -> Option<&ComponentResult> {
        self.components.iter().find(|c| c.key == key)
    }

    /// The explanation as sentences, with the scheme's labels in `lang`.
    pub fn explain(&self, scheme: &Scheme, lang: Lang) -> Vec<String> {
        self.lines
            .iter()
            .map(|l| l.render(scheme, self.decimals, lang))
            .collect()
    }
}

impl Line {
    /// One sentence in `lang`; labels come from `scheme`, unknown keys are shown as is.
    pub fn render(&self, scheme: &Scheme, decimals: u8, lang: Lang) -> String {
        let zh = lang == Lang::ZhCn;
        let name = |key: &str| {
            scheme
                .component(key)
                .map_or(key.to_string(), |c| c.labels.get(lang).to_string())
        };
        let item = |item: &Option<usize>| match (item, zh) {
            (Some(i), true) => format!("第{}项", i + 1),
            (Some(i), false) => format!(" item {}", i + 1),
            (None, _) => String::new(),
        };
        match self {
            Line::Dropped {
                component,
                item: it,
                judge,
                mark,
                reason,
            } => {
                let (zh_r, en_r) = match reason {
                    DropReason::Highest => ("最高分", "highest"),
                    DropReason::Lowest => ("最低分", "lowest"),
                };
                if zh {
                    format!(
                        "{}{}：去掉评委{}的{zh_r} {mark}",
                        name(component),
                        item(it),
                        judge + 1
                    )
                } else {
                    format!(
                        "{}{}: judge {}'s mark {mark} dropped ({en_r})",
                        name(component),
                        item(it),
                        judge + 1
                    )
                }
            }
            Line::PanelMean {
                component,
                item: it,
                kept,
                mean,
            } => {
                if zh {
                    format!(
                        "{}{}：保留的{kept}个分数平均为 {mean}",
                        name(component),
                        item(it)
                    )
                } else {
                    format!(
                        "{}{}: mean of {kept} kept marks = {mean}",
                        name(component),
                        item(it)
                    )
                }
            }
            Line::Diverged {
                component,
                item: it,
                range,
                tolerance,
            } => {
                if zh {
                    format!(
                        "{}{}：保留分数相差 {range}，超过允许的 {tolerance}，需复核",
                        name(component),
                        item(it)
                    )
                } else {
                    format!(
                        "{}{}: kept marks differ by {range}, more than the {tolerance} \
                         allowed; review needed",
                        name(component),
                        item(it)
                    )
                }
            }
            Line::Rounded {
                component,
                from,
                to,
            } => {
                let to = to.fixed(decimals);
                if zh {
                    format!(
                        "{}：{from} 四舍五入保留{decimals}位小数为 {to}",
                        name(component)
                    )
                } else {
                    format!(
                        "{}: {from} rounded half-up to {decimals} decimals = {to}",
                        name(component)
                    )
                }
            }
            Line::Component {
                component,
                score,
                weight,
                contribution,
            } => format!(
                "{}{} {} × {weight} = {contribution}",
                name(component),
                if zh { "：" } else { ":" },
                score.fixed(decimals)
            ),
            Line::Missing { component } => {
                if zh {
                    format!("{}：尚无成绩", name(component))
                } else {
                    format!("{}: no score yet", name(component))
                }
            }
            Line::Total { exact, total } => {
                let total = total.fixed(decimals);
                if zh {
                    format!("总分：{exact}，四舍五入保留{decimals}位小数为 {total}")
                } else {
                    format!("Total: {exact}, rounded half-up to {decimals} decimals = {total}")
                }
            }
            Line::Pass {
                total,
                pass_line,
                passed,
            } => {
                let total = total.fixed(decimals);
                match (zh, passed) {
                    (true, true) => format!("总分 {total} 达到合格线 {pass_line}：合格"),
                    (true, false) => format!("总分 {total} 低于合格线 {pass_line}：不合格"),
                    (false, true) => {
                        format!("Total {total} reaches the pass line {pass_line}: passed")
                    }
                    (false, false) => {
                        format!("Total {total} is below the pass line {pass_line}: failed")
                    }
                }
            }
            Line::Level { band, min } => {
                let label = band.as_deref().map(|key| {
                    scheme
                        .bands()
                        .iter()
                        .find(|b| b.key == key)
                        .map_or(key.to_string(), |b| b.labels.get(lang).to_string())
                });
                match (zh, label, min) {
                    (true, Some(l), Some(m)) => format!("等级：{l}（{m}分起）"),
                    (false, Some(l), Some(m)) => format!("Level: {l} (from {m})"),
                    (true, Some(l), None) => format!("等级：{l}"),
                    (false, Some(l), None) => format!("Level: {l}"),
                    (true, None, _) => "等级：无".to_string(),
                    (false, None, _) => "Level: none".to_string(),
                }
            }
            Line::Consequence { failure, step } => {
                let label = scheme
                    .ladder()
                    .steps()
                    .iter()
                    .find(|s| s.key == *step)
                    .map_or(step.clone(), |s| s.labels.get(lang).to_string());
                if zh {
                    format!("第{failure}次不合格：{label}")
                } else {
                    format!("Failure no. {failure}: {label}")
                }
            }
            Line::Hold => if zh {
                "评委打分分歧过大，结果需复核后才能发布"
            } else {
                "Judges diverge too much: the result is held for review before publication"
            }
            .to_string(),
            Line::Incomplete { missing } => {
                let names: Vec<String> = missing.iter().map(|k| name(k)).collect();
                if zh {
                    format!("成绩不完整，缺少：{}", names.join("、"))
                } else {
                    format!("Incomplete, missing: {}", names.join(", "))
                }
            }
        }
    }
}

/// A component's shown score plus what to record about how it was reached.
struct Scored {
    score: Option<Score>,
    panel: Option<PanelDetail>,
}

impl Scheme {
    /// Evaluates one attempt. Inputs the scheme cannot use (unknown keys, the wrong kind
    /// of input, too few marks) are errors, all reported together; missing components
    /// give [`Status::Incomplete`].
    pub fn evaluate(&self, inputs: &Inputs) -> Result<Evaluation, InputErrors> {
        let decimals = self.decimals();
        let mut errors = Vec::new();
        if inputs.attempt == 0 {
            errors.push(InputError::AttemptZero);
        }
        for key in inputs.values.keys() {
            if self.component(key).is_none() {
                errors.push(InputError::UnknownComponent(key.clone()));
            }
        }

        let mut lines = Vec::new();
        let mut components = Vec::new();
        let mut missing = Vec::new();
        let mut hold = false;
        for comp in self.components() {
            let input = inputs.values.get(&comp.key);
            let scored = score_component(comp, input, decimals, &mut lines, &mut errors);
            hold |= match &scored.panel {
                Some(PanelDetail::Total(o)) => o.held_for_review,
                Some(PanelDetail::PerItem(o)) => o.held_for_review,
                None => false,
            };
            let contribution = scored.score.map(|s| ExactPoints::weighted(s, comp.weight));
            match (scored.score, contribution) {
                (Some(score), Some(contribution)) => lines.push(Line::Component {
                    component: comp.key.clone(),
                    score,
                    weight: comp.weight,
                    contribution,
                }),
                _ if input.is_none() => {
                    missing.push(comp.key.clone());
                    lines.push(Line::Missing {
                        component: comp.key.clone(),
                    });
                }
                _ => {}
            }
            components.push(ComponentResult {
                key: comp.key.clone(),
                weight: comp.weight,
                source: comp.source,
                score: scored.score,
                contribution,
                panel: scored.panel,
            });
        }
        if !errors.is_empty() {
            return Err(InputErrors(errors));
        }

        let status = if missing.is_empty() {
            let exact_total: ExactPoints = components.iter().filter_map(|c| c.contribution).sum();
            let total = exact_total.round_to(decimals);
            let passed = total >= self.pass_line();
            let band = self.level_for(total);
            lines.push(Line::Total {
                exact: exact_total,
                total,
            });
            lines.push(Line::Pass {
                total,
                pass_line: self.pass_line(),
                passed,
            });
            if !self.bands().is_empty() {
                lines.push(Line::Level {
                    band: band.map(|b| b.key.clone()),
                    min: band.map(|b| b.min),
                });
            }
            let consequence = if passed {
                None
            } else {
                self.ladder().step_for(inputs.attempt).cloned()
            };
            if let Some(step) = &consequence {
                lines.push(Line::Consequence {
                    failure: inputs.attempt,
                    step: step.key.clone(),
                });
            }
            Status::Complete(Verdict {
                exact_total,
                total,
                passed,
                level: band.map(|b| b.key.clone()),
                consequence,
            })
        } else {
            lines.push(Line::Incomplete {
                missing: missing.clone(),
            });
            Status::Incomplete { missing }
        };
        if hold {
            lines.push(Line::Hold);
        }
        Ok(Evaluation {
            scheme_key: self.key().to_string(),
            scheme_version: self.version(),
            attempt: inputs.attempt,
            decimals,
            components,
            status,
            hold,
            lines,
        })
    }
}

fn score_component(
    comp: &Component,
    input: Option<&Input>,
    decimals: u8,
    lines: &mut Vec<Line>,
    errors: &mut Vec<InputError>,
) -> Scored {
    let none = Scored {
        score: None,
        panel: None,
    };
    let wrong = |expected| InputError::WrongKind {
        component: comp.key.clone(),
        expected,
    };
    match (input, &comp.panel) {
        (None, _) => none,
        (Some(Input::Score(s)), None) => {
            let shown = s.round_to(decimals);
            if shown != *s {
                lines.push(Line::Rounded {
                    component: comp.key.clone(),
                    from: *s,
                    to: shown,
                });
            }
            Scored {
                score: Some(shown),
                panel: None,
            }
        }
        (Some(Input::Marks(marks)), Some(p)) if p.trim == Trim::Total => {
            let out = trim(marks, p);
            if out.insufficient {
                errors.push(too_few(comp, marks.len(), p));
                return none;
            }
            explain_panel(&comp.key, None, &out, p, lines);
            Scored {
                score: out.mean_rounded(decimals),
                panel: Some(PanelDetail::Total(out)),
            }
        }
        (Some(Input::ItemMarks(marks)), Some(p)) if p.trim == Trim::PerItem => {
            match trim_per_item(marks, p) {
                Err(error) => {
                    errors.push(InputError::Panel {
                        component: comp.key.clone(),
                        error,
                    });
                    none
                }
                Ok(out) if out.insufficient => {
                    errors.push(too_few(comp, marks.len(), p));
                    none
                }
                Ok(out) => {
                    for (i, item) in out.items.iter().enumerate() {
                        explain_panel(&comp.key, Some(i), item, p, lines);
                    }
                    Scored {
                        score: out.total_rounded(decimals),
                        panel: Some(PanelDetail::PerItem(out)),
                    }
                }
            }
        }
        (Some(_), None) => {
            errors.push(wrong("a single score"));
            none
        }
        (Some(_), Some(p)) => {
            errors.push(wrong(match p.trim {
                Trim::Total => "one mark per judge",
                Trim::PerItem => "marks per judge for every rubric item",
            }));
            none
        }
    }
}

fn too_few(comp: &Component, got: usize, p: &PanelPolicy) -> InputError {
    let drops = p.drop_highest as usize + p.drop_lowest as usize;
    InputError::TooFewMarks {
        component: comp.key.clone(),
        got,
        min: (p.min_marks as usize).max(drops + 1),
    }
}

fn explain_panel(
    key: &str,
    item: Option<usize>,
    out: &PanelOutcome,
    p: &PanelPolicy,
    lines: &mut Vec<Line>,
) {
    for d in &out.dropped {
        lines.push(Line::Dropped {
            component: key.to_string(),
            item,
            judge: d.judge,
            mark: d.score,
            reason: d.reason,
        });
    }
    if let Some(mean) = out.mean {
        lines.push(Line::PanelMean {
            component: key.to_string(),
            item,
            kept: out.kept.len(),
            mean,
        });
    }
    if let (true, Some(range), Some(tolerance)) =
        (out.held_for_review, out.range, p.divergence_tolerance)
    {
        lines.push(Line::Diverged {
            component: key.to_string(),
            item,
            range,
            tolerance,
        });
    }
}
