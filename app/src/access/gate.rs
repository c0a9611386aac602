//! The one access check. Given who is asking (an [`Actor`]), a patient, a data
//! category and an action, [`check`] answers with a [`Proof`] or a refusal, and
//! writes the decision to the audit log either way.
//!
//! Repository functions that read or write health data take a `&Proof<C, M>`
//! for their category and mode and use its patient id: a `Proof` can only be
//! made here, so health data cannot be queried without passing this gate.

use super::Permissions;
use super::entity::{break_glass, care_grant};
use crate::accounts::entity::account;
use crate::audit::{self, AuditEvent};
use crate::error::AppError;
use crate::identity::ClientMeta;
use crate::identity::Role;
use crate::identity::{Action, Actor, Category};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::marker::PhantomData;

/// A category of health data, as a type (see [`kinds`]).
pub trait DataCategory {
    const CATEGORY: Category;
}

/// Reading or writing, as a type.
pub trait AccessMode {
    const ACTION: Action;
}

pub struct Read;
pub struct Write;

impl AccessMode for Read {
    const ACTION: Action = Action::Read;
}
impl AccessMode for Write {
    const ACTION: Action = Action::Write;
}

/// One type per category, for `Proof<kinds::Vitals, Read>` and the like.
pub mod kinds {
    use super::{Category, DataCategory};

    macro_rules! kind {
        ($name:ident) => {
            pub struct $name;
            impl DataCategory for $name {
                const CATEGORY: Category = Category::$name;
            }
        };
    }
    kind!(Vitals);
    kind!(Medications);
    kind!(Records);
    kind!(Documents);
    kind!(Messages);
    kind!(Appointments);
}

/// Why access was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// The patient's own data.
    Own,
    /// A care-team grant.
    Grant,
    /// An administrator's audited emergency access.
    BreakGlass,
    /// A background job finishing work that a person's checked request
    /// started (an import uploaded by the patient, say).
    Job,
}

impl Basis {
    fn outcome(self) -> &'static str {
        match self {
            Basis::Own => "allowed_own",
            Basis::Grant => "allowed_grant",
            Basis::BreakGlass => "allowed_break_glass",
            Basis::Job => "allowed_job",
        }
    }
}

/// Proof that `actor` may do `M` with category `C` of `patient_id`'s data.
/// Only [`check`] makes one; its fields are private.
#[derive(Debug)]
pub struct Proof<C, M> {
    patient_id: i64,
    actor_id: i64,
    basis: Basis,
    kind: PhantomData<fn() -> (C, M)>,
}

impl<C: DataCategory, M: AccessMode> Proof<C, M> {
    /// The patient whose rows the repository may touch.
    pub fn patient_id(&self) -> i64 {
        self.patient_id
    }

    pub fn actor_id(&self) -> i64 {
        self.actor_id
    }

    pub fn basis(&self) -> Basis {
        self.basis
    }
}

/// Why access was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    MissingScope(String),
    MfaRequired,
    GrantExpired,
    NoAccess,
}

impl Refusal {
    fn outcome(&self) -> &'static str {
        match self {
            Refusal::MissingScope(_) => "refused_scope",
            Refusal::MfaRequired => "refused_mfa",
            Refusal::GrantExpired => "refused_expired",
            Refusal::NoAccess => "refused",
        }
    }
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::MissingScope(scope) => AppError::MissingScope { scope },
            Refusal::MfaRequired => AppError::MfaRequired,
            Refusal::GrantExpired => AppError::GrantExpired,
            Refusal::NoAccess => AppError::NoAccess,
        }
    }
}

/// What the database says about the actor and the patient.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The patient id names an account with the patient role.
    pub is_patient: bool,
    /// The actor's latest grant from this patient, if any (revoked ones excluded).
    pub grant: Option<(Permissions, Option<NaiveDate>)>,
    pub break_glass: bool,
}

/// The rule itself, without the database: who may do what.
pub fn decide(
    actor: &Actor,
    patient_id: i64,
    category: Category,
    action: Action,
    facts: &Facts,
    now: DateTime<Utc>,
) -> Result<Basis, Refusal> {
    let scope = format!("{}:{}", category.scope_name(), action.as_str());
    if !actor.has_scope(&scope) {
        return Err(Refusal::MissingScope(scope));
    }
    if !facts.is_patient {
        return Err(Refusal::NoAccess);
    }
    if actor.role == Role::Patient {
        return if actor.account_id == patient_id {
            Ok(Basis::Own)
        } else {
            Err(Refusal::NoAccess)
        };
    }
    if actor.is_staff() && !actor.mfa {
        return Err(Refusal::MfaRequired);
    }
    if actor.role == Role::Administrator {
        return if facts.break_glass && action == Action::Read {
            Ok(Basis::BreakGlass)
        } else {
            Err(Refusal::NoAccess)
        };
    }
    match &facts.grant {
        Some((_, Some(until))) if *until < now.date_naive() => Err(Refusal::GrantExpired),
        Some((permissions, _)) if permissions.allows(category, action) => Ok(Basis::Grant),
        _ => Err(Refusal::NoAccess),
    }
}

/// Reads the facts [`decide`] needs.
async fn facts(db: &DatabaseConnection, actor: &Actor, patient_id: i64) -> Result<Facts, AppError> {
    let is_patient = account::Entity::find_by_id(patient_id)
        .one(db)
        .await?
        .is_some_and(|a| a.role == Role::Patient.as_str() && a.disabled_at.is_none());
    let grant = if matches!(actor.role, Role::Clinician | Role::Coach | Role::Caregiver) {
        care_grant::Entity::find()
            .filter(care_grant::Column::PatientId.eq(patient_id))
            .filter(care_grant::Column::GranteeId.eq(actor.account_id))
            .filter(care_grant::Column::RevokedAt.is_null())
            .one(db)
            .await?
            .map(|g| {
                (
                    Permissions::decode(&g.permissions).unwrap_or_default(),
                    g.until,
                )
            })
    } else {
        None
    };
    let break_glass = actor.role == Role::Administrator
        && break_glass::Entity::find()
            .filter(break_glass::Column::PatientId.eq(patient_id))
            .filter(break_glass::Column::AdminId.eq(actor.account_id))
            .filter(break_glass::Column::ExpiresAt.gt(Utc::now()))
            .one(db)
            .await?
            .is_some();
    Ok(Facts {
        is_patient,
        grant,
        break_glass,
    })
}

/// The access check: decides, audits, and hands out a proof or a refusal.
/// `record_id` names the record asked for, when there is one.
pub async fn check<C: DataCategory, M: AccessMode>(
    db: &DatabaseConnection,
    actor: &Actor,
    patient_id: i64,
    record_id: Option<&str>,
) -> Result<Proof<C, M>, AppError> {
    let facts = facts(db, actor, patient_id).await?;
    let decision = decide(
        actor,
        patient_id,
        C::CATEGORY,
        M::ACTION,
        &facts,
        Utc::now(),
    );
    let outcome = match &decision {
        Ok(basis) => basis.outcome(),
        Err(refusal) => refusal.outcome(),
    };
    audit::record(
        db,
        AuditEvent {
            actor_id: Some(actor.account_id),
            // A refused id that is not a patient is still logged, as asked for.
            patient_id: Some(patient_id),
            category: C::CATEGORY.as_str(),
            record_id,
            action: M::ACTION.as_str(),
            outcome,
            client: &actor.client,
        },
    )
    .await?;
    match decision {
        Ok(basis) => Ok(Proof {
            patient_id,
            actor_id: actor.account_id,
            basis,
            kind: PhantomData,
        }),
        Err(refusal) => {
            tracing::info!(
                actor_id = actor.account_id,
                patient_id,
                outcome,
                "access refused"
            );
            throttle_refusals(db, actor, &refusal).await?;
            Err(refusal.into())
        }
    }
}

/// Counts a refused look-up of someone else's data against the actor:
/// beyond [`throttle::REFUSED_LOOKUPS`] the answer is 429, so that ids
/// cannot be probed at speed nor another patient's history flooded.
async fn throttle_refusals(
    db: &DatabaseConnection,
    actor: &Actor,
    refusal: &Refusal,
) -> Result<(), AppError> {
    if matches!(refusal, Refusal::NoAccess) {
        crate::throttle::record(
            db,
            crate::throttle::REFUSED_LOOKUPS,
            &format!("account:{}", actor.account_id),
        )
        .await?;
    }
    Ok(())
}

/// Whether `check` would allow `M` on category `C`, without an audit event
/// and without a proof: only for deciding what a page offers (an edit
/// button); the change itself always goes through [`check`].
pub async fn would_allow<C: DataCategory, M: AccessMode>(
    db: &DatabaseConnection,
    actor: &Actor,
    patient_id: i64,
) -> Result<bool, AppError> {
    let facts = facts(db, actor, patient_id).await?;
    Ok(decide(
        actor,
        patient_id,
        C::CATEGORY,
        M::ACTION,
        &facts,
        Utc::now(),
    )
    .is_ok())
}

/// The proof a background job works under. Only for work that a checked
/// request queued (the job names it in `record_id`, e.g. `import:12`); the
/// patient must still be an active patient. Audited like every decision.
pub async fn for_job<C: DataCategory, M: AccessMode>(
    db: &DatabaseConnection,
    patient_id: i64,
    record_id: &str,
) -> Result<Proof<C, M>, AppError> {
    let is_patient = account::Entity::find_by_id(patient_id)
        .one(db)
        .await?
        .is_some_and(|a| a.role == Role::Patient.as_str() && a.disabled_at.is_none());
    let client = ClientMeta::default();
    audit::record(
        db,
        AuditEvent {
            actor_id: None,
            patient_id: Some(patient_id),
            category: C::CATEGORY.as_str(),
            record_id: Some(record_id),
            action: M::ACTION.as_str(),
            outcome: if is_patient {
                Basis::Job.outcome()
            } else {
                Refusal::NoAccess.outcome()
            },
            client: &client,
        },
    )
    .await?;
    if !is_patient {
        return Err(AppError::NoAccess);
    }
    Ok(Proof {
        patient_id,
        actor_id: 0,
        basis: Basis::Job,
        kind: PhantomData,
    })
}

/// The care relationship itself (a care-team member opening a patient's
/// page): an active grant of any category, MFA for staff. Audited. Answers
/// with what the grant covers and its last day.
pub async fn care_link(
    db: &DatabaseConnection,
    actor: &Actor,
    patient_id: i64,
) -> Result<(Permissions, Option<NaiveDate>), AppError> {
    let facts = facts(db, actor, patient_id).await?;
    let decision = match &facts.grant {
        _ if actor.is_staff() && !actor.mfa => Err(Refusal::MfaRequired),
        _ if !facts.is_patient => Err(Refusal::NoAccess),
        Some((_, Some(until))) if *until < Utc::now().date_naive() => Err(Refusal::GrantExpired),
        Some((permissions, until)) if !permissions.is_empty() => Ok((permissions.clone(), *until)),
        _ => Err(Refusal::NoAccess),
    };
    audit::record(
        db,
        AuditEvent {
            actor_id: Some(actor.account_id),
            patient_id: Some(patient_id),
            category: "care_team",
            record_id: None,
            action: "read",
            outcome: match &decision {
                Ok(_) => Basis::Grant.outcome(),
                Err(refusal) => refusal.outcome(),
            },
            client: &actor.client,
        },
    )
    .await?;
    if let Err(refusal) = &decision {
        throttle_refusals(db, actor, refusal).await?;
    }
    decision.map_err(AppError::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Permission;

    fn actor(role: Role, id: i64, mfa: bool) -> Actor {
        Actor {
            account_id: id,
            role,
            mfa,
            scopes: None,
            client: ClientMeta::default(),
        }
    }

    fn vitals_read() -> Permissions {
        Permissions(vec![Permission {
            category: Category::Vitals,
            read: true,
            write: false,
        }])
    }

    fn facts_with(grant: Option<(Permissions, Option<NaiveDate>)>) -> Facts {
        Facts {
            is_patient: true,
            grant,
            break_glass: false,
        }
    }

    #[test]
    fn a_patient_reaches_only_their_own_data() {
        let now = Utc::now();
        let me = actor(Role::Patient, 7, false);
        let facts = facts_with(None);
        assert_eq!(
            decide(&me, 7, Category::Records, Action::Write, &facts, now),
            Ok(Basis::Own)
        );
        assert_eq!(
            decide(&me, 8, Category::Records, Action::Read, &facts, now),
            Err(Refusal::NoAccess)
        );
    }

    #[test]
    fn a_grant_covers_exactly_its_categories_and_modes_until_its_date() {
        let now = Utc::now();
        let today = now.date_naive();
        let coach = actor(Role::Coach, 2, true);
        let facts = facts_with(Some((vitals_read(), Some(today))));
        assert_eq!(
            decide(&coach, 7, Category::Vitals, Action::Read, &facts, now),
            Ok(Basis::Grant)
        );
        assert_eq!(
            decide(&coach, 7, Category::Vitals, Action::Write, &facts, now),
            Err(Refusal::NoAccess)
        );
        assert_eq!(
            decide(&coach, 7, Category::Medications, Action::Read, &facts, now),
            Err(Refusal::NoAccess)
        );
        let yesterday = today.pred_opt().expect("a day before");
        let expired = facts_with(Some((vitals_read(), Some(yesterday))));
        assert_eq!(
            decide(&coach, 7, Category::Vitals, Action::Read, &expired, now),
            Err(Refusal::GrantExpired)
        );
    }

    #[test]
    fn staff_without_a_second_factor_are_refused_even_with_a_grant() {
        let clinician = actor(Role::Clinician, 3, false);
        let facts = facts_with(Some((vitals_read(), None)));
        assert_eq!(
            decide(
                &clinician,
                7,
                Category::Vitals,
                Action::Read,
                &facts,
                Utc::now()
            ),
            Err(Refusal::MfaRequired)
        );
        // Caregivers are family members: MFA is their choice.
        let caregiver = actor(Role::Caregiver, 4, false);
        assert_eq!(
            decide(
                &caregiver,
                7,
                Category::Vitals,
                Action::Read,
                &facts,
                Utc::now()
            ),
            Ok(Basis::Grant)
        );
    }

    #[test]
    fn administrators_read_only_through_break_glass() {
        let admin = actor(Role::Administrator, 1, true);
        let mut facts = facts_with(None);
        assert_eq!(
            decide(
                &admin,
                7,
                Category::Records,
                Action::Read,
                &facts,
                Utc::now()
            ),
            Err(Refusal::NoAccess)
        );
        facts.break_glass = true;
        assert_eq!(
            decide(
                &admin,
                7,
                Category::Records,
                Action::Read,
                &facts,
                Utc::now()
            ),
            Ok(Basis::BreakGlass)
        );
        assert_eq!(
            decide(
                &admin,
                7,
                Category::Records,
                Action::Write,
                &facts,
                Utc::now()
            ),
            Err(Refusal::NoAccess)
        );
    }

    #[test]
    fn a_token_needs_the_scope_of_the_category_and_action() {
        let mut me = actor(Role::Patient, 7, false);
        me.scopes = Some(vec!["observations:write".into()]);
        let facts = facts_with(None);
        assert_eq!(
            decide(&me, 7, Category::Vitals, Action::Write, &facts, Utc::now()),
            Ok(Basis::Own)
        );
        assert_eq!(
            decide(&me, 7, Category::Vitals, Action::Read, &facts, Utc::now()),
            Err(Refusal::MissingScope("observations:read".into()))
        );
    }

    #[test]
    fn ids_that_are_not_patients_are_refused() {
        let me = actor(Role::Patient, 7, false);
        let facts = Facts::default();
        assert_eq!(
            decide(&me, 7, Category::Vitals, Action::Read, &facts, Utc::now()),
            Err(Refusal::NoAccess)
        );
    }
}
