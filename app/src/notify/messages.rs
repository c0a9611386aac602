//! The words of each notification, in English and Traditional Chinese. A
//! message outside the app names a medication only when the person asked
//! for it (`detailed`); in-app messages are always detailed.

use super::{DOSE_DUE, DOSE_FOLLOW_UP, GOAL_REACHED, REFILL_LOW, TEST};

#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub title: String,
    pub body: String,
    /// A path in the app.
    pub url: String,
}

fn param<'a>(params: &'a serde_json::Value, name: &str) -> &'a str {
    params.get(name).and_then(|v| v.as_str()).unwrap_or("")
}

fn goal_name(goal: &str, zh: bool) -> &'static str {
    match (goal, zh) {
        ("daily_steps", false) => "daily steps",
        ("daily_steps", true) => "每日步數",
        ("target_weight", false) => "target weight",
        ("target_weight", true) => "目標體重",
        ("glucose_in_range", false) => "glucose in range",
        ("glucose_in_range", true) => "血糖達標",
        (_, false) => "health",
        (_, true) => "健康",
    }
}

/// The title, body and link of a notification for `locale` (`en`, `zh-TW`).
pub fn render(kind: &str, params: &serde_json::Value, locale: &str, detailed: bool) -> Rendered {
    let zh = locale.eq_ignore_ascii_case("zh-TW");
    let time = param(params, "time");
    let med = param(params, "med");
    let named = detailed && !med.is_empty();
    let (title, body, url) = match kind {
        DOSE_DUE => (
            if zh {
                "服藥提醒"
            } else {
                "Medication reminder"
            }
            .to_owned(),
            match (zh, named) {
                (false, false) => format!("Time for your {time} dose."),
                (false, true) => format!("Time for your {time} dose of {med}."),
                (true, false) => format!("該服用 {time} 的劑量了。"),
                (true, true) => format!("該服用 {time} 的 {med} 了。"),
            },
            "/today",
        ),
        DOSE_FOLLOW_UP => (
            if zh {
                "服藥提醒"
            } else {
                "Medication reminder"
            }
            .to_owned(),
            match (zh, named) {
                (false, false) => format!("Your {time} dose is not logged yet."),
                (false, true) => format!("Your {time} dose of {med} is not logged yet."),
                (true, false) => format!("您 {time} 的劑量尚未記錄。"),
                (true, true) => format!("您 {time} 的 {med} 尚未記錄。"),
            },
            "/today",
        ),
        REFILL_LOW => {
            let left = params.get("left").and_then(|v| v.as_f64()).unwrap_or(0.0);
            (
                if zh {
                    "該補充藥物了"
                } else {
                    "Time to refill"
                }
                .to_owned(),
                match (zh, named) {
                    (false, false) => "One of your medications is running low.".to_owned(),
                    (false, true) => format!("{med} is running low: {left} left."),
                    (true, false) => "您有一種藥物存量不足。".to_owned(),
                    (true, true) => format!("{med} 存量不足：剩 {left}。"),
                },
                "/medications",
            )
        }
        GOAL_REACHED => {
            let goal = goal_name(param(params, "goal"), zh);
            (
                if zh { "目標達成" } else { "Goal reached" }.to_owned(),
                match (zh, detailed) {
                    (false, true) => format!("You reached your {goal} goal today."),
                    (false, false) => "You reached a health goal today.".to_owned(),
                    (true, true) => format!("您今天達成了{goal}目標。"),
                    (true, false) => "您今天達成了一個健康目標。".to_owned(),
                },
                "/dashboard",
            )
        }
        TEST => (
            if zh {
                "測試通知"
            } else {
                "Test notification"
            }
            .to_owned(),
            if zh {
                "Hale 的通知可以送達這裡。"
            } else {
                "Notifications from Hale reach you here."
            }
            .to_owned(),
            "/settings/notifications",
        ),
        _ => (
            "Hale".to_owned(),
            if zh {
                "您有一則新通知。"
            } else {
                "You have a new notification."
            }
            .to_owned(),
            "/notifications",
        ),
    };
    Rendered {
        title,
        body,
        url: url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminders_name_the_medication_only_when_asked() {
        let params = serde_json::json!({ "time": "08:00", "med": "Metformin 500 mg" });
        let private = render(DOSE_DUE, &params, "en", false);
        assert_eq!(private.body, "Time for your 08:00 dose.");
        assert!(!private.body.contains("Metformin"));
        assert!(
            render(DOSE_DUE, &params, "en", true)
                .body
                .contains("Metformin 500 mg")
        );
        assert_eq!(
            render(DOSE_FOLLOW_UP, &params, "zh-TW", false).body,
            "您 08:00 的劑量尚未記錄。"
        );
    }
}
