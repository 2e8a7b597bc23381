//! Applications to offers: the candidate's submit (with its Idempotency-Key), the candidate's
//! private view and withdrawal, and the employer's lists, detail, stage changes, notes and CV
//! download. Every employer read is scoped by the offer's owner in the statement itself.

use chrono::{DateTime, Utc};
use sqlx::{Connection, PgConnection, PgExecutor, Row};

use super::outbox::enqueue_mail;
use super::webhooks;
use super::RepoError;
use crate::domain::application::{
    employer_move, ApplicationChange, ApplicationListing, Cv, CvKind, NewApplication, Stage,
    StageMove, StageRefused, Submission,
};
use crate::domain::mail::{self, About, MailLinks};
use crate::domain::webhook;

/// How long an Idempotency-Key is remembered.
pub const IDEMPOTENCY_HOURS: i32 = 24;

/// The candidate's private link as stored: the SHA-256 of the token, and the salt the token is
/// derived from (`auth::candidate`).
#[derive(Debug, Clone)]
pub struct StoredToken {
    pub hash: [u8; 32],
    pub salt: Vec<u8>,
}

/// An application as its submit answers it.
#[derive(Debug, Clone, PartialEq)]
pub struct Submitted {
    pub id: i64,
    pub offer_id: i64,
    pub stage: Stage,
    pub created_at: DateTime<Utc>,
    /// What the candidate's token is derived from.
    pub token_salt: Vec<u8>,
}

/// What a submit came to.
#[derive(Debug, Clone, PartialEq)]
pub enum SubmitOutcome {
    Created(Submitted),
    /// The same Idempotency-Key and request within the window: the first answer again.
    Replayed(Submitted),
    /// The Idempotency-Key was used for a different request.
    KeyReused,
    /// No such offer, or a draft (which nobody but its owner may know of).
    OfferMissing,
    /// The offer is closed or expired, or does not take applications here.
    NotAccepting,
    /// This e-mail address has applied to this offer already.
    AlreadyApplied,
}

fn stage_of(row: &sqlx::postgres::PgRow, column: &str) -> Result<Stage, sqlx::Error> {
    let raw: String = row.try_get(column)?;
    Stage::parse(&raw).map_err(|problem| sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: problem.into(),
    })
}

fn submitted(row: &sqlx::postgres::PgRow) -> Result<Submitted, sqlx::Error> {
    Ok(Submitted {
        id: row.try_get("id")?,
        offer_id: row.try_get("offer_id")?,
        stage: stage_of(row, "stage")?,
        created_at: row.try_get("created_at")?,
        token_salt: row.try_get("token_salt")?,
    })
}

/// The application an Idempotency-Key made within the window, and whether it was made by the
/// same request.
pub async fn remembered(
    db: impl PgExecutor<'_>,
    submission: &Submission,
) -> Result<Option<SubmitOutcome>, sqlx::Error> {
    let row = sqlx::query(
        // The first answer said `new`, whatever the stage is now: a replay repeats it.
        "SELECT s.request_hash, a.id, a.offer_id, 'new' AS stage, a.created_at, \
             a.token_salt \
         FROM application_submissions s JOIN applications a ON a.id = s.application_id \
         WHERE s.key_hash = $1 AND s.created_at > now() - make_interval(hours => $2)",
    )
    .bind(submission.key_hash.as_slice())
    .bind(IDEMPOTENCY_HOURS)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let request_hash: Vec<u8> = row.try_get("request_hash")?;
    Ok(Some(if request_hash == submission.request_hash {
        SubmitOutcome::Replayed(submitted(&row)?)
    } else {
        SubmitOutcome::KeyReused
    }))
}

/// Stores `application` to the offer `offer_id` when the offer is open and takes
/// applications, in one transaction with its first history entry, its CV, its
/// Idempotency-Key and, when mail is on (`mail`), the candidate's receipt and the employer's
/// notice in the outbox. The caller has answered a retry of a key already `remembered` (before
/// counting the attempt: `Limiter::apply`); one racing the first with the same key answers
/// what the first made, and queues nothing again.
pub async fn submit(
    db: &mut PgConnection,
    offer_id: i64,
    application: &NewApplication,
    token: &StoredToken,
    submission: Option<&Submission>,
    mail: Option<&dyn MailLinks>,
) -> Result<SubmitOutcome, RepoError> {
    let outcome = insert(db, offer_id, application, token, submission, mail).await?;
    // Losing a race to the same key (the e-mail is taken, or the key is): what the winner
    // made is the answer.
    if let (Some(submission), SubmitOutcome::AlreadyApplied | SubmitOutcome::KeyReused) =
        (submission, &outcome)
    {
        if let Some(outcome) = remembered(&mut *db, submission).await? {
            return Ok(outcome);
        }
    }
    Ok(outcome)
}

async fn insert(
    db: &mut PgConnection,
    offer_id: i64,
    application: &NewApplication,
    token: &StoredToken,
    submission: Option<&Submission>,
    mail: Option<&dyn MailLinks>,
) -> Result<SubmitOutcome, RepoError> {
    let mut transaction = db.begin().await?;
    // FOR SHARE: the offer cannot close or go away until this application is in.
    let offer = sqlx::query(
        "SELECT o.status::text AS status, \
             (o.status = 'published' AND o.valid_through > now()) AS open, o.apply_native, \
             o.user_id, o.title, o.apply_email \
         FROM offers o WHERE o.id = $1 FOR SHARE",
    )
    .bind(offer_id)
    .fetch_optional(&mut *transaction)
    .await?;
    let Some(offer) = offer else {
        return Ok(SubmitOutcome::OfferMissing);
    };
    if offer.try_get::<String, _>("status")? == "draft" {
        return Ok(SubmitOutcome::OfferMissing);
    }
    if !(offer.try_get::<bool, _>("open")? && offer.try_get::<bool, _>("apply_native")?) {
        return Ok(SubmitOutcome::NotAccepting);
    }
    let row = sqlx::query(
        "INSERT INTO applications (offer_id, name, email, phone, cover_letter, token_hash, \
             token_salt) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (offer_id, lower(email)) WHERE email IS NOT NULL DO NOTHING \
         RETURNING id, offer_id, stage::text AS stage, created_at, token_salt",
    )
    .bind(offer_id)
    .bind(&application.name)
    .bind(application.email.as_str())
    .bind(application.phone.as_deref())
    .bind(application.cover_letter.as_deref())
    .bind(token.hash.as_slice())
    .bind(&token.salt)
    .fetch_optional(&mut *transaction)
    .await?;
    let Some(row) = row else {
        return Ok(SubmitOutcome::AlreadyApplied);
    };
    let created = submitted(&row)?;
    sqlx::query(
        "INSERT INTO application_stage_changes (application_id, stage, at, by_candidate) \
         VALUES ($1, 'new', $2, true)",
    )
    .bind(created.id)
    .bind(created.created_at)
    .execute(&mut *transaction)
    .await?;
    if let Some(cv) = &application.cv {
        store_cv(&mut transaction, created.id, cv).await?;
    }
    if let Some(submission) = submission {
        // A key remembered past its window is free again.
        let kept = sqlx::query(
            "WITH stale AS (DELETE FROM application_submissions WHERE key_hash = $1 \
                 AND created_at <= now() - make_interval(hours => $4)) \
             INSERT INTO application_submissions (key_hash, request_hash, application_id) \
             VALUES ($1, $2, $3) ON CONFLICT (key_hash) DO NOTHING RETURNING key_hash",
        )
        .bind(submission.key_hash.as_slice())
        .bind(submission.request_hash.as_slice())
        .bind(created.id)
        .bind(IDEMPOTENCY_HOURS)
        .fetch_optional(&mut *transaction)
        .await?;
        if kept.is_none() {
            // Another request with this key got in first: this one stores nothing.
            return Ok(SubmitOutcome::KeyReused);
        }
    }
    let employer: i64 = offer.try_get("user_id")?;
    webhooks::enqueue_event(
        &mut transaction,
        employer,
        "application.created",
        webhook::application_data(
            created.id,
            created.offer_id,
            created.stage.as_str(),
            created.created_at,
        ),
    )
    .await?;
    if let Some(links) = mail {
        let offer_title: String = offer.try_get("title")?;
        let about = About {
            offer_title: &offer_title,
            candidate_name: &application.name,
        };
        let status_url = links.status_url(&token.salt);
        let receipt = mail::receipt(application.email.as_str(), about, &status_url);
        enqueue_mail(&mut transaction, &receipt).await?;
        // Accounts hold no e-mail address: the offer's public apply address is the only one
        // the employer has given, and without one the employer is not written to.
        if let Some(employer) = offer.try_get::<Option<String>, _>("apply_email")? {
            let application_url = links.application_url(offer.try_get("user_id")?, created.id);
            let notice =
                mail::employer_notice(&employer, about, application.cv.is_some(), &application_url);
            enqueue_mail(&mut transaction, &notice).await?;
        }
    }
    transaction.commit().await?;
    Ok(SubmitOutcome::Created(created))
}

async fn store_cv(db: &mut PgConnection, application_id: i64, cv: &Cv) -> Result<(), RepoError> {
    sqlx::query(
        "INSERT INTO application_cvs (application_id, kind, filename, size, content) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(application_id)
    .bind(cv.kind.as_str())
    .bind(&cv.filename)
    .bind(i32::try_from(cv.bytes.len()).unwrap_or(i32::MAX))
    .bind(&cv.bytes)
    .execute(db)
    .await?;
    Ok(())
}

/// An application as its candidate sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateView {
    pub id: i64,
    pub offer_id: i64,
    pub offer_title: String,
    pub stage: Stage,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The application whose private token hashes to `token_hash`.
pub async fn find_by_token(
    db: impl PgExecutor<'_>,
    token_hash: &[u8; 32],
) -> Result<Option<CandidateView>, RepoError> {
    let row = sqlx::query(
        "SELECT a.id, a.offer_id, o.title, a.stage::text AS stage, a.created_at, a.updated_at \
         FROM applications a JOIN offers o ON o.id = a.offer_id WHERE a.token_hash = $1",
    )
    .bind(token_hash.as_slice())
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        Ok::<_, sqlx::Error>(CandidateView {
            id: row.try_get("id")?,
            offer_id: row.try_get("offer_id")?,
            offer_title: row.try_get("title")?,
            stage: stage_of(&row, "stage")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    })
    .transpose()
    .map_err(RepoError::from)
}

/// The candidate withdraws: the record stays, as `withdrawn`, with its history; the CV is
/// erased. `false` when no application has this token. Withdrawing twice changes nothing.
pub async fn withdraw(db: &mut PgConnection, token_hash: &[u8; 32]) -> Result<bool, RepoError> {
    let mut transaction = db.begin().await?;
    let row = sqlx::query(
        "SELECT a.id, a.offer_id, a.stage::text AS stage, a.created_at, o.user_id \
         FROM applications a JOIN offers o ON o.id = a.offer_id \
         WHERE a.token_hash = $1 FOR UPDATE OF a",
    )
    .bind(token_hash.as_slice())
    .fetch_optional(&mut *transaction)
    .await?;
    let Some(row) = row else {
        return Ok(false);
    };
    let id: i64 = row.try_get("id")?;
    if stage_of(&row, "stage")? != Stage::Withdrawn {
        sqlx::query(
            "WITH moved AS (UPDATE applications SET stage = 'withdrawn', \
                 updated_at = clock_timestamp() WHERE id = $1 RETURNING id, updated_at) \
             INSERT INTO application_stage_changes (application_id, stage, at, by_candidate) \
             SELECT id, 'withdrawn', updated_at, true FROM moved",
        )
        .bind(id)
        .execute(&mut *transaction)
        .await?;
        let data = webhook::application_data(
            id,
            row.try_get("offer_id")?,
            Stage::Withdrawn.as_str(),
            row.try_get("created_at")?,
        );
        webhooks::enqueue_event(
            &mut transaction,
            row.try_get("user_id")?,
            "application.withdrawn",
            data,
        )
        .await?;
    }
    sqlx::query("DELETE FROM application_cvs WHERE application_id = $1")
        .bind(id)
        .execute(&mut *transaction)
        .await?;
    transaction.commit().await?;
    Ok(true)
}

/// An application in an employer's list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedApplication {
    pub id: i64,
    pub offer_id: i64,
    pub offer_title: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub stage: Stage,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub has_cv: bool,
}

fn listed(row: &sqlx::postgres::PgRow) -> Result<ListedApplication, sqlx::Error> {
    Ok(ListedApplication {
        id: row.try_get("id")?,
        offer_id: row.try_get("offer_id")?,
        offer_title: row.try_get("offer_title")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        phone: row.try_get("phone")?,
        stage: stage_of(row, "stage")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        has_cv: row.try_get("has_cv")?,
    })
}

const LISTED_COLUMNS: &str =
    "a.id, a.offer_id, o.title AS offer_title, a.name, a.email, a.phone, a.stage::text AS stage, \
     a.created_at, a.updated_at, \
     EXISTS (SELECT FROM application_cvs c WHERE c.application_id = a.id) AS has_cv";

/// A page of an employer's applications, newest first, with how many match in all.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationPage {
    pub applications: Vec<ListedApplication>,
    pub count: i64,
    pub has_next: bool,
}

/// The applications to `owner`'s offers that `filter` keeps.
pub async fn list_for_owner(
    db: &mut PgConnection,
    owner: i64,
    filter: &ApplicationListing,
) -> Result<ApplicationPage, RepoError> {
    let stages: Option<Vec<&str>> = filter
        .stages
        .as_ref()
        .map(|stages| stages.iter().map(|stage| stage.as_str()).collect());
    let matching = "FROM applications a JOIN offers o ON o.id = a.offer_id \
         WHERE o.user_id = $1 AND ($2::bigint IS NULL OR a.offer_id = $2) \
         AND ($3::text[] IS NULL OR a.stage::text = ANY ($3))";
    let rows = sqlx::query(&format!(
        "SELECT {LISTED_COLUMNS} {matching} AND ($4::bigint IS NULL OR a.id < $4) \
         ORDER BY a.id DESC LIMIT $5"
    ))
    .bind(owner)
    .bind(filter.offer_id)
    .bind(&stages)
    .bind(filter.before_id)
    .bind(i64::from(filter.limit) + 1)
    .fetch_all(&mut *db)
    .await?;
    let count: i64 = sqlx::query_scalar(&format!("SELECT count(*) {matching}"))
        .bind(owner)
        .bind(filter.offer_id)
        .bind(&stages)
        .fetch_one(&mut *db)
        .await?;
    let mut applications = rows.iter().map(listed).collect::<Result<Vec<_>, _>>()?;
    let has_next = applications.len() > filter.limit as usize;
    applications.truncate(filter.limit as usize);
    Ok(ApplicationPage {
        applications,
        count,
        has_next,
    })
}

/// How many applications each stage holds, across `owner`'s offers or for one of them:
/// the tabs of the employer's list. Stages without any are left out.
pub async fn stage_counts(
    db: impl PgExecutor<'_>,
    owner: i64,
    offer_id: Option<i64>,
) -> Result<Vec<(Stage, i64)>, RepoError> {
    let rows = sqlx::query(
        "SELECT a.stage::text AS stage, count(*) AS count FROM applications a \
         JOIN offers o ON o.id = a.offer_id \
         WHERE o.user_id = $1 AND ($2::bigint IS NULL OR a.offer_id = $2) GROUP BY a.stage",
    )
    .bind(owner)
    .bind(offer_id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|row| Ok((stage_of(row, "stage")?, row.try_get("count")?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(RepoError::from)
}

/// How many applications each of `offer_ids` (of `owner`) has in each stage: the counts on
/// "My offers". Pairs without any are left out.
pub async fn stage_counts_by_offer(
    db: impl PgExecutor<'_>,
    owner: i64,
    offer_ids: &[i64],
) -> Result<Vec<(i64, Stage, i64)>, RepoError> {
    let rows = sqlx::query(
        "SELECT a.offer_id, a.stage::text AS stage, count(*) AS count FROM applications a \
         JOIN offers o ON o.id = a.offer_id \
         WHERE o.user_id = $1 AND a.offer_id = ANY ($2) GROUP BY a.offer_id, a.stage",
    )
    .bind(owner)
    .bind(offer_ids)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("offer_id")?,
                stage_of(row, "stage")?,
                row.try_get("count")?,
            ))
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(RepoError::from)
}

/// One entry of an application's history.
#[derive(Debug, Clone, PartialEq)]
pub struct StageChange {
    pub stage: Stage,
    pub at: DateTime<Utc>,
    /// The employer's username, or `None` for the candidate (or an account since deleted).
    pub by: Option<String>,
    pub by_candidate: bool,
}

/// One of the employer's notes.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub body: String,
    pub at: DateTime<Utc>,
    pub by: Option<String>,
}

/// An application with everything its employer may read but the CV's bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationDetail {
    pub listed: ListedApplication,
    pub cover_letter: Option<String>,
    pub history: Vec<StageChange>,
    pub notes: Vec<Note>,
}

/// Application `id` to one of `owner`'s offers, in full.
pub async fn find_for_owner(
    db: &mut PgConnection,
    owner: i64,
    id: i64,
) -> Result<Option<ApplicationDetail>, RepoError> {
    let row = sqlx::query(&format!(
        "SELECT {LISTED_COLUMNS}, a.cover_letter FROM applications a \
         JOIN offers o ON o.id = a.offer_id WHERE a.id = $1 AND o.user_id = $2"
    ))
    .bind(id)
    .bind(owner)
    .fetch_optional(&mut *db)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let history = sqlx::query(
        "SELECT h.stage::text AS stage, h.at, u.username, h.by_candidate \
         FROM application_stage_changes h LEFT JOIN users u ON u.id = h.by_user \
         WHERE h.application_id = $1 ORDER BY h.id",
    )
    .bind(id)
    .fetch_all(&mut *db)
    .await?
    .iter()
    .map(|row| {
        Ok(StageChange {
            stage: stage_of(row, "stage")?,
            at: row.try_get("at")?,
            by: row.try_get("username")?,
            by_candidate: row.try_get("by_candidate")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let notes = sqlx::query(
        "SELECT n.body, n.at, u.username FROM application_notes n \
         LEFT JOIN users u ON u.id = n.author WHERE n.application_id = $1 ORDER BY n.id",
    )
    .bind(id)
    .fetch_all(&mut *db)
    .await?
    .iter()
    .map(|row| {
        Ok(Note {
            body: row.try_get("body")?,
            at: row.try_get("at")?,
            by: row.try_get("username")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Some(ApplicationDetail {
        listed: listed(&row)?,
        cover_letter: row.try_get("cover_letter")?,
        history,
        notes,
    }))
}

/// An application locked for a change: its stage, and what a message about it needs.
struct Locked {
    stage: Stage,
    /// `None` once erased.
    email: Option<String>,
    name: Option<String>,
    offer_title: String,
    token_salt: Vec<u8>,
    offer_id: i64,
    created_at: DateTime<Utc>,
}

/// Application `id` of `owner`, locked until `transaction` ends.
async fn lock(
    transaction: &mut PgConnection,
    owner: i64,
    id: i64,
) -> Result<Option<Locked>, RepoError> {
    let row = sqlx::query(
        "SELECT a.stage::text AS stage, a.email, a.name, o.title, a.token_salt, a.offer_id, \
             a.created_at \
         FROM applications a JOIN offers o ON o.id = a.offer_id \
         WHERE a.id = $1 AND o.user_id = $2 FOR UPDATE OF a",
    )
    .bind(id)
    .bind(owner)
    .fetch_optional(transaction)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some(Locked {
        stage: stage_of(&row, "stage")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        offer_title: row.try_get("title")?,
        token_salt: row.try_get("token_salt")?,
        offer_id: row.try_get("offer_id")?,
        created_at: row.try_get("created_at")?,
    }))
}

/// Queues the candidate's news of `application` moving to `stage`, if they have an address
/// still and the stage is one they are written about.
async fn queue_stage_mail(
    transaction: &mut PgConnection,
    application: &Locked,
    stage: Stage,
    links: &dyn MailLinks,
) -> Result<(), RepoError> {
    let Some(to) = &application.email else {
        return Ok(());
    };
    let about = About {
        offer_title: &application.offer_title,
        candidate_name: application.name.as_deref().unwrap_or_default(),
    };
    let status_url = links.status_url(&application.token_salt);
    if let Some(message) = mail::stage_change(to, about, stage, &status_url) {
        enqueue_mail(transaction, &message).await?;
    }
    Ok(())
}

/// Moves application `id` to `stage`, recording who did.
async fn move_stage(
    transaction: &mut PgConnection,
    id: i64,
    stage: Stage,
    by_user: i64,
) -> Result<(), RepoError> {
    sqlx::query(
        "WITH moved AS (UPDATE applications SET stage = $2::application_stage, \
             updated_at = clock_timestamp() WHERE id = $1 RETURNING id, updated_at) \
         INSERT INTO application_stage_changes (application_id, stage, at, by_user) \
         SELECT id, $2::application_stage, updated_at, $3 FROM moved",
    )
    .bind(id)
    .bind(stage.as_str())
    .bind(by_user)
    .execute(transaction)
    .await?;
    Ok(())
}

/// Adds the employer's note to application `id`.
async fn add_note(
    transaction: &mut PgConnection,
    id: i64,
    body: &str,
    author: i64,
) -> Result<(), RepoError> {
    sqlx::query("INSERT INTO application_notes (application_id, author, body) VALUES ($1, $3, $2)")
        .bind(id)
        .bind(body)
        .bind(author)
        .execute(transaction)
        .await?;
    Ok(())
}

/// A stored CV without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CvFile {
    pub application_id: i64,
    pub kind: CvKind,
    pub filename: String,
    pub size: i64,
}

/// The CV of application `id` of `owner`, if it has one.
pub async fn find_cv(
    db: impl PgExecutor<'_>,
    owner: i64,
    id: i64,
) -> Result<Option<CvFile>, RepoError> {
    let row = sqlx::query(
        "SELECT c.application_id, c.kind, c.filename, c.size::bigint AS size \
         FROM application_cvs c JOIN applications a ON a.id = c.application_id \
         JOIN offers o ON o.id = a.offer_id WHERE c.application_id = $1 AND o.user_id = $2",
    )
    .bind(id)
    .bind(owner)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let kind: String = row.try_get("kind")?;
    let kind = CvKind::parse(&kind).map_err(|problem| sqlx::Error::ColumnDecode {
        index: "kind".to_owned(),
        source: problem.into(),
    })?;
    Ok(Some(CvFile {
        application_id: row.try_get("application_id")?,
        kind,
        filename: row.try_get("filename")?,
        size: row.try_get("size")?,
    }))
}

/// `length` bytes of a CV from `offset` (0-based): the column is stored uncompressed, so
/// PostgreSQL reads only the TOAST chunks of this slice.
pub async fn cv_slice(
    db: impl PgExecutor<'_>,
    application_id: i64,
    offset: i64,
    length: i64,
) -> Result<Option<Vec<u8>>, RepoError> {
    Ok(sqlx::query_scalar(
        "SELECT substring(content FROM $2::int + 1 FOR $3::int) FROM application_cvs \
         WHERE application_id = $1",
    )
    .bind(application_id)
    .bind(offset)
    .bind(length)
    .fetch_optional(db)
    .await?)
}

/// Applies `change` to application `id` of `owner` in one transaction: the stage move (when
/// the pipeline allows it; recorded with `by_user`, and told to the candidate through the
/// outbox when mail is on) and the note. `None` when there is no such application; the refusal
/// when the move is not allowed (then nothing is stored).
pub async fn change(
    db: &mut PgConnection,
    owner: i64,
    id: i64,
    change: &ApplicationChange,
    by_user: i64,
    mail: Option<&dyn MailLinks>,
) -> Result<Option<Result<(), StageRefused>>, RepoError> {
    let mut transaction = db.begin().await?;
    let Some(current) = lock(&mut transaction, owner, id).await? else {
        return Ok(None);
    };
    if let Some(wanted) = change.stage {
        match employer_move(current.stage, wanted) {
            Err(refused) => return Ok(Some(Err(refused))),
            Ok(StageMove::Moved) => {
                move_stage(&mut transaction, id, wanted, by_user).await?;
                let data = webhook::application_data(
                    id,
                    current.offer_id,
                    wanted.as_str(),
                    current.created_at,
                );
                webhooks::enqueue_event(&mut transaction, owner, "application.stage_changed", data)
                    .await?;
                if let Some(links) = mail {
                    queue_stage_mail(&mut transaction, &current, wanted, links).await?;
                }
            }
            Ok(StageMove::Unchanged) => {}
        }
    }
    if let Some(note) = &change.note {
        add_note(&mut transaction, id, note, by_user).await?;
    }
    transaction.commit().await?;
    Ok(Some(Ok(())))
}
