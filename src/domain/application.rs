//! Job applications as candidates send them: who they are, how to reach them, an optional
//! cover letter and CV, and their consent. Also the stages an employer moves an application
//! through, and the Idempotency-Key a client may send with it.
//!
//! Both doors (the JSON API and the page's multipart form) fill the same neutral
//! [`ApplicationInput`], so that a rule holds the same way whichever door a candidate used.

use std::fmt;

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

use super::board::{forward_id_cursor, parse_limit, Cursor, Direction, PageSize};
use super::fields::InputError;
use super::fields::{
    collect, optional_bool, optional_string, reject_unexpected, FieldErrors, JsonObject, TextRule,
    MISSING,
};
use super::id::parse_id;
use super::posting::EmailAddress;

/// The candidate's name: 1–200 characters, not only whitespace.
pub const NAME: TextRule = TextRule {
    min_chars: 1,
    max_chars: 200,
    not_blank: true,
};
/// An optional cover letter of up to 10 000 characters; empty means none.
pub const COVER_LETTER: TextRule = TextRule {
    min_chars: 0,
    max_chars: 10_000,
    not_blank: false,
};
/// At most this many characters in a phone number (surrounding whitespace aside).
pub const MAX_PHONE_CHARS: usize = 40;
/// At most this many bytes in a CV, once decoded.
pub const MAX_CV_BYTES: usize = 5 * 1024 * 1024;
/// At most this many characters in a CV's stored file name.
pub const MAX_FILENAME_CHARS: usize = 255;
/// At most this many characters in an `Idempotency-Key`.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 200;

pub const NOT_A_PHONE: &str = "Must be a phone number such as +49 30 1234567.";
pub const NOT_A_CV: &str = "Must be a PDF, DOCX or ODT document.";
pub const EMPTY_FILE: &str = "The file is empty.";
pub const FILENAME_TOO_LONG: &str = "The file name must be at most 255 characters.";
pub const NOT_BASE64: &str = "Not valid base64.";
pub const CONSENT_REQUIRED: &str = "You must consent to the processing of your data to apply.";

/// The JSON keys a candidate writes.
const WRITABLE: &[&str] = &[
    "name",
    "email",
    "phone",
    "cover_letter",
    "consent",
    "cv_base64",
    "cv_filename",
];
/// Keys of a stored application that a client echoing one back may send: named as read-only.
const READ_ONLY: &[&str] = &["id", "offer_id", "stage", "created_at", "status_url"];

/// The kinds of document accepted as a CV, judged from the bytes alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CvKind {
    Pdf,
    Docx,
    Odt,
}

impl CvKind {
    pub const ALL: [CvKind; 3] = [CvKind::Pdf, CvKind::Docx, CvKind::Odt];

    /// The kind of document `bytes` are, if one accepted as a CV. The file's name and declared
    /// type are never consulted: both are whatever the sender chose.
    pub fn sniff(bytes: &[u8]) -> Option<CvKind> {
        if bytes.starts_with(ZIP_LOCAL_HEADER) {
            // ODT's layout is the stricter one, so it is tried first; a ZIP is never taken for
            // a PDF, whatever its stored entries happen to contain.
            if is_odt(bytes) {
                return Some(CvKind::Odt);
            }
            return is_docx(bytes).then_some(CvKind::Docx);
        }
        is_pdf(bytes).then_some(CvKind::Pdf)
    }

    /// The media type a CV of this kind is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            CvKind::Pdf => "application/pdf",
            CvKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            CvKind::Odt => ODT_MIMETYPE,
        }
    }

    /// The file name extension of this kind, with its dot.
    pub fn extension(self) -> &'static str {
        match self {
            CvKind::Pdf => ".pdf",
            CvKind::Docx => ".docx",
            CvKind::Odt => ".odt",
        }
    }

    /// The kind as stored: `pdf`, `docx` or `odt`.
    pub fn as_str(self) -> &'static str {
        match self {
            CvKind::Pdf => "pdf",
            CvKind::Docx => "docx",
            CvKind::Odt => "odt",
        }
    }

    /// Reads a kind as stored by [`CvKind::as_str`].
    pub fn parse(raw: &str) -> Result<CvKind, String> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == raw)
            .ok_or_else(|| format!("Unknown CV kind {raw:?}: must be one of pdf, docx, odt."))
    }
}

impl fmt::Display for CvKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

const ZIP_LOCAL_HEADER: &[u8] = b"PK\x03\x04";
const ZIP_CENTRAL_HEADER: &[u8] = b"PK\x01\x02";
const ZIP_END_OF_DIRECTORY: &[u8] = b"PK\x05\x06";
/// The fixed part of the End Of Central Directory record.
const EOCD_LEN: usize = 22;
/// The EOCD plus the longest comment it may carry (a u16 length).
const EOCD_SEARCH: usize = EOCD_LEN + u16::MAX as usize;
const CENTRAL_HEADER_LEN: usize = 46;
const LOCAL_HEADER_LEN: usize = 30;
const ODT_MIMETYPE: &str = "application/vnd.oasis.opendocument.text";
/// Readers accept the `%PDF-` header anywhere in the first kilobyte (junk before it is common).
const PDF_HEADER_WINDOW: usize = 1024;

fn is_pdf(bytes: &[u8]) -> bool {
    let marker = b"%PDF-";
    // The marker must start within the window; it may end just past it.
    let end = bytes.len().min(PDF_HEADER_WINDOW + marker.len() - 1);
    bytes[..end]
        .windows(marker.len())
        .any(|window| window == marker)
}

/// A little-endian u16 at `offset`, or `None` past the end.
fn u16_at(bytes: &[u8], offset: usize) -> Option<usize> {
    let field = bytes.get(offset..offset.checked_add(2)?)?;
    Some(usize::from(u16::from_le_bytes([field[0], field[1]])))
}

/// A little-endian u32 at `offset`, or `None` past the end.
fn u32_at(bytes: &[u8], offset: usize) -> Option<usize> {
    let field = bytes.get(offset..offset.checked_add(4)?)?;
    usize::try_from(u32::from_le_bytes([field[0], field[1], field[2], field[3]])).ok()
}

/// `len` bytes at `offset`, or `None` if they are not all there.
fn slice_at(bytes: &[u8], offset: usize, len: usize) -> Option<&[u8]> {
    bytes.get(offset..offset.checked_add(len)?)
}

/// The ODF packaging rule: the first entry is named `mimetype` and holds the media type,
/// stored uncompressed, so that the type can be read at a fixed place without unzipping.
fn is_odt(bytes: &[u8]) -> bool {
    odt_mimetype(bytes) == Some(ODT_MIMETYPE.as_bytes())
}

fn odt_mimetype(bytes: &[u8]) -> Option<&[u8]> {
    const STORED: usize = 0;
    if u16_at(bytes, 8)? != STORED {
        return None;
    }
    let name_len = u16_at(bytes, 26)?;
    let extra_len = u16_at(bytes, 28)?;
    if slice_at(bytes, LOCAL_HEADER_LEN, name_len)? != b"mimetype" {
        return None;
    }
    // The entry's own size says where its content ends, so that a longer type that merely
    // begins with ODT's (`...opendocument.text-template`) is not taken for it.
    let size = u32_at(bytes, 18)?;
    let start = LOCAL_HEADER_LEN
        .checked_add(name_len)?
        .checked_add(extra_len)?;
    slice_at(bytes, start, size)
}

/// A Word document is an OPC package: a ZIP whose directory lists the content types part and
/// the main document part. Part names compare case-insensitively in OPC.
fn is_docx(bytes: &[u8]) -> bool {
    let Some(names) = central_directory_names(bytes) else {
        return false;
    };
    let has = |wanted: &str| {
        names
            .iter()
            .any(|name| name.eq_ignore_ascii_case(wanted.as_bytes()))
    };
    has("[Content_Types].xml") && has("word/document.xml")
}

/// The entry names listed in a ZIP's central directory, or `None` if it is not a well-formed
/// one. Every offset comes from the file itself, so every read is bounds-checked.
fn central_directory_names(bytes: &[u8]) -> Option<Vec<&[u8]>> {
    let end = end_of_central_directory(bytes)?;
    let entries = u16_at(bytes, end + 10)?;
    let mut offset = u32_at(bytes, end + 16)?;
    let mut names = Vec::with_capacity(entries.min(1024));
    for _ in 0..entries {
        if slice_at(bytes, offset, 4)? != ZIP_CENTRAL_HEADER {
            return None;
        }
        let name_len = u16_at(bytes, offset + 28)?;
        let extra_len = u16_at(bytes, offset + 30)?;
        let comment_len = u16_at(bytes, offset + 32)?;
        let name_start = offset.checked_add(CENTRAL_HEADER_LEN)?;
        names.push(slice_at(bytes, name_start, name_len)?);
        offset = name_start
            .checked_add(name_len)?
            .checked_add(extra_len)?
            .checked_add(comment_len)?;
    }
    Some(names)
}

/// Where the End Of Central Directory record starts: searched backwards, since the archive
/// comment after it may be up to 65 535 bytes long. A candidate counts only if its comment
/// length fits the bytes that follow it (the signature may also occur inside a comment).
fn end_of_central_directory(bytes: &[u8]) -> Option<usize> {
    let last = bytes.len().checked_sub(EOCD_LEN)?;
    let first = bytes.len().saturating_sub(EOCD_SEARCH);
    (first..=last).rev().find(|&at| {
        slice_at(bytes, at, 4) == Some(ZIP_END_OF_DIRECTORY)
            && u16_at(bytes, at + 20).is_some_and(|comment| at + EOCD_LEN + comment <= bytes.len())
    })
}

/// A CV as received, before it is judged: the file's bytes and the name it was sent with.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct UploadedCv {
    pub filename: String,
    pub bytes: Vec<u8>,
}

impl fmt::Debug for UploadedCv {
    // A CV is personal data and may be megabytes: logs and test failures show its size only.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("UploadedCv")
            .field("filename", &self.filename)
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .finish()
    }
}

/// An accepted CV: a document of a known kind, with a file name safe to store and serve.
#[derive(Clone, PartialEq, Eq)]
pub struct Cv {
    pub kind: CvKind,
    pub filename: String,
    pub bytes: Vec<u8>,
}

impl fmt::Debug for Cv {
    // As for `UploadedCv`: never the contents.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Cv")
            .field("kind", &self.kind)
            .field("filename", &self.filename)
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .finish()
    }
}

/// Outcome of judging an uploaded file.
enum CvVerdict {
    /// No file was chosen.
    None,
    Accepted(Cv),
    TooLarge,
    Refused(&'static str),
}

impl Cv {
    fn judge(uploaded: UploadedCv) -> CvVerdict {
        if uploaded.bytes.is_empty() {
            // A form whose file input was left alone still sends the part, empty and unnamed.
            return if uploaded.filename.is_empty() {
                CvVerdict::None
            } else {
                CvVerdict::Refused(EMPTY_FILE)
            };
        }
        if uploaded.bytes.len() > MAX_CV_BYTES {
            return CvVerdict::TooLarge;
        }
        if stored_name(&uploaded.filename).chars().count() > MAX_FILENAME_CHARS {
            return CvVerdict::Refused(FILENAME_TOO_LONG);
        }
        let Some(kind) = CvKind::sniff(&uploaded.bytes) else {
            return CvVerdict::Refused(NOT_A_CV);
        };
        CvVerdict::Accepted(Cv {
            kind,
            filename: safe_filename(&uploaded.filename, kind),
            bytes: uploaded.bytes,
        })
    }
}

/// What is kept of a sent file name: its last path segment (some browsers send the full
/// client path), without control characters (they would break headers and logs). Longer than
/// `MAX_FILENAME_CHARS`, the CV is refused (`FILENAME_TOO_LONG`): cutting it would lose its
/// extension.
fn stored_name(sent: &str) -> String {
    let last = sent.rsplit(['/', '\\']).next().unwrap_or_default();
    last.chars().filter(|c| !c.is_control()).collect()
}

/// The name a CV is stored under: `stored_name`, or `cv` plus the kind's extension when
/// nothing usable is left.
fn safe_filename(sent: &str, kind: CvKind) -> String {
    let name = stored_name(sent);
    if name.trim().is_empty() || name == "." || name == ".." {
        format!("cv{}", kind.extension())
    } else {
        name
    }
}

/// An application as sent, by either door, before any rule is checked. `None` means the
/// field was not sent at all.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApplicationInput {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub cover_letter: Option<String>,
    pub consent: Option<bool>,
    pub cv: Option<UploadedCv>,
}

/// Why an application was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplicationRefused {
    /// Fields are missing or wrong; each problem is named.
    Invalid(FieldErrors),
    /// The CV is over [`MAX_CV_BYTES`]: the body is refused as too large (HTTP 413), before
    /// any other problem, as a size limit in front of the parser would.
    CvTooLarge,
}

impl From<FieldErrors> for ApplicationRefused {
    fn from(errors: FieldErrors) -> Self {
        ApplicationRefused::Invalid(errors)
    }
}

/// A valid application. The candidate's consent was checked: an application exists only with
/// it, so it is not a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApplication {
    pub name: String,
    pub email: EmailAddress,
    pub phone: Option<String>,
    pub cover_letter: Option<String>,
    pub cv: Option<Cv>,
}

impl NewApplication {
    /// Checks an application as sent through either door; every problem is reported at once.
    pub fn parse(input: ApplicationInput) -> Result<NewApplication, ApplicationRefused> {
        Self::check(input, FieldErrors::default())
    }

    /// Parses a JSON application body. The CV comes as `cv_base64` + `cv_filename`, both or
    /// neither. Wrong JSON types are reported as such, together with the rules' problems.
    pub fn from_json(object: &JsonObject) -> Result<NewApplication, ApplicationRefused> {
        let mut errors = FieldErrors::default();
        reject_unexpected(object, WRITABLE, READ_ONLY, &mut errors);
        let mut text = |field: &str| {
            collect(
                &mut errors,
                field,
                optional_string(object, field).map(|v| v.map(str::to_owned)),
            )
            .flatten()
        };
        let name = text("name");
        let email = text("email");
        // The optional texts take `null` as not sent, as clients that write every field do.
        let mut optional = |field: &str| match object.get(field) {
            Some(serde_json::Value::Null) => None,
            _ => text(field),
        };
        let phone = optional("phone");
        let cover_letter = optional("cover_letter");
        let consent = collect(&mut errors, "consent", optional_bool(object, "consent")).flatten();
        let cv = json_cv(object, &mut errors);
        let input = ApplicationInput {
            name,
            email,
            phone,
            cover_letter,
            consent,
            cv,
        };
        Self::check(input, errors)
    }

    /// The rules, on top of problems already found in `errors`. A field that already has a
    /// problem (its JSON type) is not checked again: "missing" would be wrong and confusing.
    fn check(
        input: ApplicationInput,
        mut errors: FieldErrors,
    ) -> Result<NewApplication, ApplicationRefused> {
        let name = rule(&mut errors, "name", || {
            let name = input.name.ok_or(MISSING)?;
            NAME.check(&name).map(|()| name)
        });
        let email = rule(&mut errors, "email", || {
            EmailAddress::parse(input.email.as_deref().ok_or(MISSING)?)
        });
        let phone = rule(&mut errors, "phone", || {
            input
                .phone
                .as_deref()
                .map(parse_phone)
                .transpose()
                .map(Option::flatten)
        });
        let cover_letter = rule(&mut errors, "cover_letter", || match input.cover_letter {
            Some(letter) if !letter.is_empty() => {
                COVER_LETTER.check(&letter).map(|()| Some(letter))
            }
            _ => Ok(None),
        });
        if errors.get("consent").is_none() && input.consent != Some(true) {
            errors.add("consent", CONSENT_REQUIRED);
        }
        let cv = match input.cv.map(Cv::judge) {
            None | Some(CvVerdict::None) => Some(None),
            Some(CvVerdict::Accepted(cv)) => Some(Some(cv)),
            Some(CvVerdict::TooLarge) => return Err(ApplicationRefused::CvTooLarge),
            Some(CvVerdict::Refused(problem)) => {
                errors.add("cv", problem);
                None
            }
        };
        match (name, email, phone, cover_letter, cv) {
            (Some(name), Some(email), Some(phone), Some(cover_letter), Some(cv))
                if errors.is_empty() =>
            {
                Ok(NewApplication {
                    name,
                    email,
                    phone,
                    cover_letter,
                    cv,
                })
            }
            _ => Err(ApplicationRefused::Invalid(errors)),
        }
    }
}

/// Checks one field's rule unless the field already has a problem.
fn rule<T, E: Into<String>>(
    errors: &mut FieldErrors,
    field: &str,
    parse: impl FnOnce() -> Result<T, E>,
) -> Option<T> {
    if errors.get(field).is_some() {
        return None;
    }
    collect(errors, field, parse().map_err(Into::into))
}

/// Reads the JSON CV pair into an uploaded file. Problems are named on the key at fault:
/// the one missing from the pair, or `cv_base64` when it does not decode.
fn json_cv(object: &JsonObject, errors: &mut FieldErrors) -> Option<UploadedCv> {
    let encoded = collect(errors, "cv_base64", optional_string(object, "cv_base64"));
    let filename = collect(
        errors,
        "cv_filename",
        optional_string(object, "cv_filename"),
    );
    let (encoded, filename) = match (encoded, filename) {
        (Some(Some(_)), Some(Some(filename)))
            if stored_name(filename).chars().count() > MAX_FILENAME_CHARS =>
        {
            errors.add("cv_filename", FILENAME_TOO_LONG);
            return None;
        }
        (Some(Some(encoded)), Some(Some(filename))) => (encoded, filename),
        (Some(None), _) if object.contains_key("cv_filename") => {
            errors.add("cv_base64", MISSING);
            return None;
        }
        (_, Some(None)) if object.contains_key("cv_base64") => {
            errors.add("cv_filename", MISSING);
            return None;
        }
        _ => return None,
    };
    collect(errors, "cv_base64", decode_base64(encoded)).map(|bytes| UploadedCv {
        filename: filename.to_owned(),
        bytes,
    })
}

/// Standard base64 as clients produce it: padded or not, and wrapped into lines (MIME and
/// `base64` the tool wrap at 76 characters).
fn decode_base64(encoded: &str) -> Result<Vec<u8>, String> {
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let compact: Vec<u8> = encoded
        .bytes()
        .filter(|byte| !byte.is_ascii_whitespace())
        .collect();
    LENIENT.decode(compact).map_err(|_| NOT_BASE64.to_owned())
}

/// A phone number as a person types one; surrounding whitespace is dropped, and an empty one
/// is none (a form sends its untouched phone input as an empty string).
fn parse_phone(raw: &str) -> Result<Option<String>, String> {
    let phone = raw.trim();
    if phone.is_empty() {
        return Ok(None);
    }
    if phone.chars().count() > MAX_PHONE_CHARS {
        return Err(format!("At most {MAX_PHONE_CHARS} characters."));
    }
    let allowed =
        |c: char| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '.' | '/');
    if !phone.chars().all(allowed) || !phone.chars().any(|c| c.is_ascii_digit()) {
        return Err(NOT_A_PHONE.to_owned());
    }
    Ok(Some(phone.to_owned()))
}

/// Whether a form's consent checkbox value means yes: `true`, `on` (what browsers send for a
/// checked box without a value), `yes` or `1`, in any case.
pub fn form_consent(raw: &str) -> bool {
    let value = raw.trim();
    ["true", "on", "yes", "1"]
        .iter()
        .any(|yes| value.eq_ignore_ascii_case(yes))
}

/// An Idempotency-Key as stored: the key's digest (with its offer, so that one key means one
/// thing per offer, and fixed in size whatever a client sends) and the digest of what was
/// submitted, to tell a retry from a different application under the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Submission {
    pub key_hash: [u8; 32],
    pub request_hash: [u8; 32],
}

impl Submission {
    pub fn of(offer_id: i64, key: &str, application: &NewApplication) -> Self {
        use sha2::{Digest, Sha256};
        let key_hash = Sha256::new()
            .chain_update(offer_id.to_be_bytes())
            .chain_update(key.as_bytes())
            .finalize()
            .into();
        // Each part with its length, so that no two different submits run together alike.
        let mut request = Sha256::new();
        let mut part = |bytes: &[u8]| {
            request.update((bytes.len() as u64).to_be_bytes());
            request.update(bytes);
        };
        part(application.name.as_bytes());
        part(application.email.as_str().as_bytes());
        part(application.phone.as_deref().unwrap_or_default().as_bytes());
        part(
            application
                .cover_letter
                .as_deref()
                .unwrap_or_default()
                .as_bytes(),
        );
        if let Some(cv) = &application.cv {
            part(cv.kind.as_str().as_bytes());
            part(cv.filename.as_bytes());
            part(&cv.bytes);
        }
        Self {
            key_hash,
            request_hash: request.finalize().into(),
        }
    }
}

/// Where an application stands. Employers move it forward (or reject it); only the candidate
/// withdraws it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    New,
    Reviewing,
    Interview,
    Offer,
    Hired,
    Rejected,
    Withdrawn,
}

impl Stage {
    /// Every stage, in order: the forward ones first, then the two ends.
    pub const ALL: [Stage; 7] = [
        Stage::New,
        Stage::Reviewing,
        Stage::Interview,
        Stage::Offer,
        Stage::Hired,
        Stage::Rejected,
        Stage::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::New => "new",
            Stage::Reviewing => "reviewing",
            Stage::Interview => "interview",
            Stage::Offer => "offer",
            Stage::Hired => "hired",
            Stage::Rejected => "rejected",
            Stage::Withdrawn => "withdrawn",
        }
    }

    /// The stage as the pages name it.
    pub fn label(self) -> &'static str {
        match self {
            Stage::New => "New",
            Stage::Reviewing => "Reviewing",
            Stage::Interview => "Interview",
            Stage::Offer => "Offer",
            Stage::Hired => "Hired",
            Stage::Rejected => "Rejected",
            Stage::Withdrawn => "Withdrawn",
        }
    }

    /// The stages an employer may move an application in this stage to, in order.
    pub fn employer_choices(self) -> Vec<Stage> {
        Self::ALL
            .into_iter()
            .filter(|to| employer_move(self, *to) == Ok(StageMove::Moved))
            .collect()
    }

    /// Reads a stage by name: any of the seven, `withdrawn` too (a list filters on it; an
    /// employer setting it is refused by `employer_move`, as a move).
    pub fn parse(raw: &str) -> Result<Stage, String> {
        Self::ALL
            .into_iter()
            .find(|stage| stage.as_str() == raw)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.into_iter().map(Stage::as_str).collect();
                format!("Must be one of: {}.", names.join(", "))
            })
    }

    /// Position in the forward order new < reviewing < interview < offer < hired; `None` for
    /// the stages outside it.
    fn rank(self) -> Option<u8> {
        match self {
            Stage::New => Some(0),
            Stage::Reviewing => Some(1),
            Stage::Interview => Some(2),
            Stage::Offer => Some(3),
            Stage::Hired => Some(4),
            Stage::Rejected | Stage::Withdrawn => None,
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// What an allowed stage change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageMove {
    /// Already there: an idempotent PUT, recorded nowhere.
    Unchanged,
    /// A real move, to be recorded in the history.
    Moved,
}

/// A stage change an employer may not make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Cannot move from {from} to {to}")]
pub struct StageRefused {
    pub from: Stage,
    pub to: Stage,
}

/// Whether an employer may move an application from `from` to `to`: forward only (skipping
/// stages is fine), or to `rejected` from any stage, hired and withdrawn included (the
/// contract's "any stage may move to rejected": an employer may record the decision on an
/// application the candidate withdrew; the candidate's withdrawal stays in the history). Only
/// the candidate withdraws.
pub fn employer_move(from: Stage, to: Stage) -> Result<StageMove, StageRefused> {
    let refused = Err(StageRefused { from, to });
    if to == Stage::Withdrawn {
        return refused;
    }
    if from == to {
        return Ok(StageMove::Unchanged);
    }
    if to == Stage::Rejected {
        return Ok(StageMove::Moved);
    }
    match (from.rank(), to.rank()) {
        (Some(from_rank), Some(to_rank)) if to_rank > from_rank => Ok(StageMove::Moved),
        _ => refused,
    }
}

/// Whether the candidate may still withdraw. Hired and rejected candidates may too: withdrawing
/// is how they have their data erased.
pub fn candidate_can_withdraw(stage: Stage) -> bool {
    stage != Stage::Withdrawn
}

/// Reads an `Idempotency-Key` header: 1–200 visible ASCII characters, so that it can be
/// stored, compared and echoed in headers as is.
pub fn parse_idempotency_key(raw: &str) -> Result<String, String> {
    let visible = raw.bytes().all(|byte| (0x21..=0x7e).contains(&byte));
    if raw.is_empty() || raw.len() > MAX_IDEMPOTENCY_KEY_CHARS || !visible {
        return Err(format!(
            "The Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY_CHARS} visible ASCII characters."
        ));
    }
    Ok(raw.to_owned())
}

/// Why an application, or a change to one, conflicts with what is stored (`409`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplicationConflict {
    /// The offer is closed or expired, or does not take applications here.
    #[error("This offer does not accept applications")]
    NotAccepting,
    /// This e-mail address has applied to this offer already.
    #[error("You have already applied to this offer")]
    AlreadyApplied,
    /// The Idempotency-Key was used for a different application.
    #[error("This Idempotency-Key was already used for a different application")]
    KeyReused,
    #[error(transparent)]
    Stage(#[from] StageRefused),
}

/// The note rule: 1–10 000 characters, not blank.
pub const NOTE: TextRule = TextRule {
    min_chars: 1,
    max_chars: 10_000,
    not_blank: true,
};

/// What an employer changes on an application: its stage, a note to add, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationChange {
    pub stage: Option<Stage>,
    pub note: Option<String>,
}

impl ApplicationChange {
    /// Reads `{"stage"}` and/or `{"note"}`; an object with neither is `Empty`.
    pub fn from_json(object: &JsonObject) -> Result<Self, InputError> {
        let mut errors = FieldErrors::default();
        reject_unexpected(object, &["stage", "note"], CHANGE_READ_ONLY, &mut errors);
        let stage = collect(
            &mut errors,
            "stage",
            optional_string(object, "stage").and_then(|raw| raw.map(Stage::parse).transpose()),
        )
        .flatten();
        let note = collect(
            &mut errors,
            "note",
            optional_string(object, "note").and_then(|raw| {
                raw.map(|note| {
                    let note = note.replace("\r\n", "\n");
                    NOTE.check(&note).map(|()| note)
                })
                .transpose()
            }),
        )
        .flatten();
        if !errors.is_empty() {
            return Err(InputError::Invalid(errors));
        }
        if stage.is_none() && note.is_none() {
            return Err(InputError::Empty);
        }
        Ok(Self { stage, note })
    }
}

/// Fields of an application a client may read but never write.
const CHANGE_READ_ONLY: &[&str] = &[
    "id",
    "offer_id",
    "name",
    "email",
    "phone",
    "created_at",
    "updated_at",
    "has_cv",
    "cover_letter",
    "history",
    "notes",
];

/// The page sizes of an employer's applications.
pub const APPLICATION_PAGE: PageSize = PageSize {
    default: 50,
    max: 100,
};

/// Which of an employer's applications to list, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationListing {
    pub offer_id: Option<i64>,
    pub stages: Option<Vec<Stage>>,
    /// Continue after this application (smaller ids).
    pub before_id: Option<i64>,
    pub limit: u32,
}

impl ApplicationListing {
    /// Reads the list's query parameters, naming each bad one.
    pub fn parse(
        offer_id: Option<&str>,
        stage: Option<&str>,
        limit: Option<&str>,
        cursor: Option<&str>,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let offer_id = collect(
            &mut errors,
            "offer_id",
            offer_id
                .map(|raw| parse_id(raw.trim()).ok_or_else(|| "Must be an offer id.".to_owned()))
                .transpose(),
        )
        .flatten();
        let stages = collect(&mut errors, "stage", stage.map(parse_stages).transpose())
            .flatten()
            .flatten();
        let limit = collect(&mut errors, "limit", parse_limit(limit, APPLICATION_PAGE));
        let before_id = collect(&mut errors, "cursor", forward_id_cursor(cursor))
            .flatten()
            .map(|cursor| cursor.id);
        match limit {
            Some(limit) if errors.is_empty() => Ok(Self {
                offer_id,
                stages,
                before_id,
                limit,
            }),
            _ => Err(errors),
        }
    }

    /// The cursor of the page after the application `id`.
    pub fn cursor_after(id: i64) -> String {
        Cursor {
            direction: Direction::After,
            id,
            rank: None,
            posted: None,
        }
        .encode()
    }
}

/// A comma list of stages (repeats ignored); `None` when it names none.
fn parse_stages(raw: &str) -> Result<Option<Vec<Stage>>, String> {
    super::fields::comma_list(raw, Stage::parse)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fields::{
        NOT_BOOLEAN, NOT_NULL, NOT_STRING, READ_ONLY as READ_ONLY_MESSAGE, UNKNOWN,
    };
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
    use rand::{Rng, SeedableRng};
    use serde_json::{json, Value};

    const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

    /// A ZIP of stored entries, laid out as office suites write them: local headers with their
    /// contents, then the central directory, then the End Of Central Directory record.
    fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        zip_with_comment(entries, b"")
    }

    fn zip_with_comment(entries: &[(&str, &[u8])], comment: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, content) in entries {
            let offset = out.len() as u32;
            let size = content.len() as u32;
            let name_len = name.len() as u16;
            out.extend_from_slice(ZIP_LOCAL_HEADER);
            out.extend_from_slice(&20u16.to_le_bytes()); // version needed
            out.extend_from_slice(&0u16.to_le_bytes()); // flags
            out.extend_from_slice(&0u16.to_le_bytes()); // method: stored
            out.extend_from_slice(&[0; 4]); // time, date
            out.extend_from_slice(&0u32.to_le_bytes()); // crc (not checked by sniffing)
            out.extend_from_slice(&size.to_le_bytes()); // compressed
            out.extend_from_slice(&size.to_le_bytes()); // uncompressed
            out.extend_from_slice(&name_len.to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes()); // extra
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(content);

            central.extend_from_slice(ZIP_CENTRAL_HEADER);
            central.extend_from_slice(&20u16.to_le_bytes()); // made by
            central.extend_from_slice(&20u16.to_le_bytes()); // needed
            central.extend_from_slice(&0u16.to_le_bytes()); // flags
            central.extend_from_slice(&0u16.to_le_bytes()); // method
            central.extend_from_slice(&[0; 4]); // time, date
            central.extend_from_slice(&0u32.to_le_bytes()); // crc
            central.extend_from_slice(&size.to_le_bytes());
            central.extend_from_slice(&size.to_le_bytes());
            central.extend_from_slice(&name_len.to_le_bytes());
            central.extend_from_slice(&0u16.to_le_bytes()); // extra
            central.extend_from_slice(&0u16.to_le_bytes()); // comment
            central.extend_from_slice(&0u16.to_le_bytes()); // disk
            central.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
            central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let directory_offset = out.len() as u32;
        let count = entries.len() as u16;
        out.extend_from_slice(&central);
        out.extend_from_slice(ZIP_END_OF_DIRECTORY);
        out.extend_from_slice(&[0; 4]); // disk numbers
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&directory_offset.to_le_bytes());
        out.extend_from_slice(&(comment.len() as u16).to_le_bytes());
        out.extend_from_slice(comment);
        out
    }

    fn docx() -> Vec<u8> {
        zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("_rels/.rels", b"<Relationships/>"),
            ("word/document.xml", b"<w:document/>"),
        ])
    }

    fn odt() -> Vec<u8> {
        zip(&[
            ("mimetype", ODT_MIMETYPE.as_bytes()),
            ("content.xml", b"<office:document-content/>"),
            ("META-INF/manifest.xml", b"<manifest:manifest/>"),
        ])
    }

    fn object(value: Value) -> JsonObject {
        value.as_object().unwrap().clone()
    }

    fn invalid<T: fmt::Debug>(result: Result<T, ApplicationRefused>) -> FieldErrors {
        match result {
            Err(ApplicationRefused::Invalid(errors)) => errors,
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    fn only(errors: &FieldErrors) -> Vec<&str> {
        errors.field_names().collect()
    }

    fn valid_input() -> ApplicationInput {
        ApplicationInput {
            name: Some("Ada Lovelace".into()),
            email: Some("ada@example.com".into()),
            phone: None,
            cover_letter: None,
            consent: Some(true),
            cv: None,
        }
    }

    fn valid_json() -> JsonObject {
        object(json!({"name": "Ada Lovelace", "email": "ada@example.com", "consent": true}))
    }

    fn with(mut body: JsonObject, key: &str, value: Value) -> JsonObject {
        body.insert(key.to_owned(), value);
        body
    }

    fn upload(filename: &str, bytes: &[u8]) -> ApplicationInput {
        ApplicationInput {
            cv: Some(UploadedCv {
                filename: filename.into(),
                bytes: bytes.to_vec(),
            }),
            ..valid_input()
        }
    }

    /// The problems of the one field named, asserting that no other field has one.
    fn problem_of<T: fmt::Debug>(result: Result<T, ApplicationRefused>, field: &str) -> String {
        let errors = invalid(result);
        assert_eq!(only(&errors), [field], "{errors:?}");
        let problems = errors.get(field).unwrap();
        assert_eq!(problems.len(), 1, "{problems:?}");
        problems[0].clone()
    }

    // --- CV sniffing ---

    #[test]
    fn pdfs_are_recognised_by_their_header_even_after_some_junk() {
        assert_eq!(CvKind::sniff(PDF), Some(CvKind::Pdf));
        let mut late = vec![b' '; 1023];
        late.extend_from_slice(b"%PDF-1.4");
        assert_eq!(CvKind::sniff(&late), Some(CvKind::Pdf));
        let mut too_late = vec![b' '; 1024];
        too_late.extend_from_slice(b"%PDF-1.4");
        assert_eq!(CvKind::sniff(&too_late), None);
        assert_eq!(CvKind::sniff(b"%PDF"), None);
        assert_eq!(CvKind::sniff(b"%PDF-"), Some(CvKind::Pdf));
    }

    #[test]
    fn word_and_opendocument_files_are_recognised_from_their_zip_layout() {
        assert_eq!(CvKind::sniff(&docx()), Some(CvKind::Docx));
        assert_eq!(CvKind::sniff(&odt()), Some(CvKind::Odt));
        // OPC part names compare case-insensitively.
        let shouting = zip(&[
            ("[CONTENT_TYPES].XML", b"<Types/>"),
            ("Word/Document.xml", b"<w:document/>"),
        ]);
        assert_eq!(CvKind::sniff(&shouting), Some(CvKind::Docx));
        // The directory is found behind an archive comment, even one quoting its signature.
        let commented = zip_with_comment(
            &[
                ("[Content_Types].xml", b"<Types/>"),
                ("word/document.xml", b"<w:document/>"),
            ],
            b"made by PK\x05\x06 tests",
        );
        assert_eq!(CvKind::sniff(&commented), Some(CvKind::Docx));
    }

    #[test]
    fn other_zips_and_other_files_are_not_cvs() {
        let xlsx = zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", b"<workbook/>"),
        ]);
        let only_types = zip(&[("[Content_Types].xml", b"<Types/>")]);
        let only_document = zip(&[("word/document.xml", b"<w:document/>")]);
        let spreadsheet = zip(&[(
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet".as_slice(),
        )]);
        let template = zip(&[(
            "mimetype",
            b"application/vnd.oasis.opendocument.text-template".as_slice(),
        )]);
        // The mimetype entry must come first: ODF readers look for it at a fixed place.
        let mimetype_second = zip(&[
            ("content.xml", b"<x/>".as_slice()),
            ("mimetype", ODT_MIMETYPE.as_bytes()),
        ]);
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".as_slice();
        for (what, bytes) in [
            ("xlsx", xlsx.as_slice()),
            ("only types", &only_types),
            ("only document", &only_document),
            ("ods", &spreadsheet),
            ("ott", &template),
            ("mimetype second", &mimetype_second),
            ("empty zip", &zip(&[])),
            ("png", png),
            ("text", b"Dear hiring manager, ... PDF attached"),
            ("nothing", b""),
        ] {
            assert_eq!(CvKind::sniff(bytes), None, "{what}");
        }
    }

    #[test]
    fn a_compressed_mimetype_entry_is_not_an_odt() {
        let mut compressed = odt();
        compressed[8] = 8; // deflate
        assert_eq!(CvKind::sniff(&compressed), None);
    }

    #[test]
    fn an_extra_field_after_the_mimetype_name_is_skipped() {
        let mut bytes = odt();
        // Give the first local header a 4-byte extra field between its name and content.
        bytes[28] = 4;
        bytes.splice(38..38, [0xfe, 0xca, 0, 0]);
        assert_eq!(CvKind::sniff(&bytes), Some(CvKind::Odt));
    }

    #[test]
    fn truncated_and_corrupted_zips_never_panic_and_are_not_docx() {
        let whole = docx();
        for len in 0..whole.len() {
            // Truncated anywhere, the directory or its record is lost.
            assert_eq!(CvKind::sniff(&whole[..len]), None, "truncated at {len}");
        }
        let eocd = whole.len() - EOCD_LEN;
        let corrupt = |at: usize, value: &[u8]| {
            let mut bytes = whole.clone();
            bytes[at..at + value.len()].copy_from_slice(value);
            CvKind::sniff(&bytes)
        };
        assert_eq!(
            corrupt(eocd + 16, &u32::MAX.to_le_bytes()),
            None,
            "directory offset"
        );
        assert_eq!(
            corrupt(eocd + 10, &u16::MAX.to_le_bytes()),
            None,
            "entry count"
        );
        assert_eq!(
            corrupt(eocd + 20, &1u16.to_le_bytes()),
            None,
            "comment length"
        );
        let directory = u32_at(&whole, eocd + 16).unwrap();
        assert_eq!(corrupt(directory, b"PK\x09\x09"), None, "entry signature");
        assert_eq!(
            corrupt(directory + 28, &u16::MAX.to_le_bytes()),
            None,
            "name length"
        );
        assert_eq!(
            corrupt(directory + 30, &u16::MAX.to_le_bytes()),
            None,
            "extra length"
        );
        // The ODT's local header, with lengths pointing past the end.
        let odt = odt();
        for at in [18, 26, 28] {
            let mut bytes = odt[..64].to_vec();
            bytes[at..at + 2].copy_from_slice(&u16::MAX.to_le_bytes());
            assert_eq!(CvKind::sniff(&bytes), None, "odt field at {at}");
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed);
        let fixtures = [docx(), odt()];
        for round in 0..3000 {
            let len = rng.gen_range(0..300);
            let mut bytes: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
            match round % 3 {
                // Random bytes behind a ZIP signature, with an EOCD signature sprinkled in.
                0 => {
                    bytes.splice(0..0, ZIP_LOCAL_HEADER.iter().copied());
                    if bytes.len() > 30 {
                        let at = rng.gen_range(4..bytes.len() - 4);
                        bytes[at..at + 4].copy_from_slice(ZIP_END_OF_DIRECTORY);
                    }
                }
                // A real document with a few bytes flipped.
                1 => {
                    bytes = fixtures[round % 2].clone();
                    for _ in 0..rng.gen_range(1..6) {
                        let at = rng.gen_range(0..bytes.len());
                        bytes[at] = rng.gen();
                    }
                }
                _ => {}
            }
            let _ = CvKind::sniff(&bytes);
        }
    }

    #[test]
    fn kinds_round_trip_as_text_and_name_their_types() {
        for kind in CvKind::ALL {
            assert_eq!(CvKind::parse(kind.as_str()), Ok(kind));
            assert_eq!(kind.extension(), format!(".{kind}"));
        }
        assert!(CvKind::parse("PDF").is_err());
        assert!(CvKind::parse("png").is_err());
        assert_eq!(CvKind::Pdf.content_type(), "application/pdf");
        assert_eq!(
            CvKind::Docx.content_type(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        assert_eq!(
            CvKind::Odt.content_type(),
            "application/vnd.oasis.opendocument.text"
        );
    }

    // --- the neutral input ---

    #[test]
    fn a_minimal_application_parses() {
        let application = NewApplication::parse(valid_input()).unwrap();
        assert_eq!(application.name, "Ada Lovelace");
        assert_eq!(application.email.as_str(), "ada@example.com");
        assert_eq!(
            (application.phone, application.cover_letter, application.cv),
            (None, None, None)
        );
    }

    #[test]
    fn nothing_sent_names_every_required_field() {
        let errors = invalid(NewApplication::parse(ApplicationInput::default()));
        assert_eq!(only(&errors), ["consent", "email", "name"]);
        assert_eq!(errors.get("name").unwrap(), [MISSING]);
        assert_eq!(errors.get("email").unwrap(), [MISSING]);
        assert_eq!(errors.get("consent").unwrap(), [CONSENT_REQUIRED]);
    }

    #[test]
    fn names_must_be_one_to_two_hundred_characters_and_not_blank() {
        let named = |name: &str| {
            NewApplication::parse(ApplicationInput {
                name: Some(name.into()),
                ..valid_input()
            })
        };
        assert_eq!(named(&"é".repeat(200)).unwrap().name, "é".repeat(200));
        assert_eq!(named("X").unwrap().name, "X");
        assert_eq!(
            problem_of(named(&"x".repeat(201)), "name"),
            "Length must be between 1 and 200."
        );
        assert_eq!(
            problem_of(named(""), "name"),
            "Length must be between 1 and 200."
        );
        assert_eq!(
            problem_of(named(" \t\u{3000}"), "name"),
            "Must not be blank."
        );
        assert_eq!(
            problem_of(named("Ada\0"), "name"),
            "Must not contain NUL characters."
        );
    }

    #[test]
    fn emails_are_checked_as_elsewhere() {
        let addressed = |email: &str| {
            NewApplication::parse(ApplicationInput {
                email: Some(email.into()),
                ..valid_input()
            })
        };
        assert!(addressed("grace.hopper+jobs@navy.example").is_ok());
        for bad in ["", "ada", "ada@localhost", "ada lovelace@example.com"] {
            assert_eq!(
                problem_of(addressed(bad), "email"),
                "Must be an e-mail address such as jobs@example.com.",
                "{bad}"
            );
        }
        let long = format!("{}@{}.com", "a".repeat(60), "b".repeat(200));
        assert_eq!(
            problem_of(addressed(&long), "email"),
            "At most 254 characters."
        );
    }

    #[test]
    fn phones_are_digits_with_the_usual_punctuation() {
        let phoned = |phone: &str| {
            NewApplication::parse(ApplicationInput {
                phone: Some(phone.into()),
                ..valid_input()
            })
            .map(|application| application.phone)
        };
        for good in ["+49 30 1234567", "(030) 123-45.67", "030/1234567", "112"] {
            assert_eq!(phoned(good).unwrap().as_deref(), Some(good));
        }
        assert_eq!(
            phoned(" +44 20 7946 0000 \n").unwrap().as_deref(),
            Some("+44 20 7946 0000")
        );
        // A form sends an untouched phone input as an empty string.
        assert_eq!(phoned("").unwrap(), None);
        assert_eq!(phoned("   ").unwrap(), None);
        assert_eq!(phoned(&"1".repeat(40)).unwrap(), Some("1".repeat(40)));
        assert_eq!(
            problem_of(phoned(&"1".repeat(41)), "phone"),
            "At most 40 characters."
        );
        for bad in [
            "call me",
            "+49 30 CALL-ME",
            "+ - ( )",
            "12\u{0663}",
            "1\u{a0}2",
            "1\u{0}2",
        ] {
            assert_eq!(problem_of(phoned(bad), "phone"), NOT_A_PHONE, "{bad:?}");
        }
    }

    #[test]
    fn cover_letters_are_optional_and_bounded() {
        let letter = |text: &str| {
            NewApplication::parse(ApplicationInput {
                cover_letter: Some(text.into()),
                ..valid_input()
            })
            .map(|application| application.cover_letter)
        };
        assert_eq!(letter("").unwrap(), None);
        assert_eq!(
            letter("Hello,\n\nI apply.").unwrap().as_deref(),
            Some("Hello,\n\nI apply.")
        );
        assert_eq!(
            letter(&"x".repeat(10_000)).unwrap(),
            Some("x".repeat(10_000))
        );
        assert_eq!(
            problem_of(letter(&"x".repeat(10_001)), "cover_letter"),
            "Length must be between 0 and 10000."
        );
        assert_eq!(
            problem_of(letter("a\0"), "cover_letter"),
            "Must not contain NUL characters."
        );
    }

    #[test]
    fn consent_must_be_given() {
        for consent in [None, Some(false)] {
            let refused = NewApplication::parse(ApplicationInput {
                consent,
                ..valid_input()
            });
            assert_eq!(
                problem_of(refused, "consent"),
                CONSENT_REQUIRED,
                "{consent:?}"
            );
        }
    }

    #[test]
    fn forms_say_yes_in_several_ways() {
        for yes in ["true", "on", "yes", "1", "ON", " True "] {
            assert!(form_consent(yes), "{yes:?}");
        }
        for no in ["", "false", "off", "no", "0", "2", "y", "truee"] {
            assert!(!form_consent(no), "{no:?}");
        }
    }

    #[test]
    fn a_cv_is_accepted_by_its_bytes_and_keeps_a_safe_name() {
        let cv = |filename: &str, bytes: &[u8]| {
            NewApplication::parse(upload(filename, bytes))
                .unwrap()
                .cv
                .unwrap()
        };
        let pdf = cv("Ada CV.pdf", PDF);
        assert_eq!(
            (pdf.kind, pdf.filename.as_str(), pdf.bytes.as_slice()),
            (CvKind::Pdf, "Ada CV.pdf", PDF)
        );
        // The name says nothing about the kind.
        assert_eq!(cv("cv.pdf", &docx()).kind, CvKind::Docx);
        assert_eq!(cv("lebenslauf", &odt()).kind, CvKind::Odt);
        // Paths are cut to their last segment, whichever separator the client uses.
        assert_eq!(
            cv(r"C:\Users\ada\Lebenslauf.pdf", PDF).filename,
            "Lebenslauf.pdf"
        );
        assert_eq!(cv("../../etc/passwd", PDF).filename, "passwd");
        assert_eq!(cv("a/b\\c.odt", &odt()).filename, "c.odt");
        assert_eq!(cv("cv\r\n\u{7}\u{85}.pdf", PDF).filename, "cv.pdf");
        // Nothing usable left: named after the kind.
        assert_eq!(cv("", PDF).filename, "cv.pdf");
        assert_eq!(cv("docs/", &docx()).filename, "cv.docx");
        assert_eq!(cv("\u{1}\u{2}", &odt()).filename, "cv.odt");
        assert_eq!(cv("x/..", PDF).filename, "cv.pdf");
        // At most 255 characters, counted as characters and after the path is cut; longer is
        // refused rather than cut, which would lose the extension.
        let fits = format!("{}.pdf", "é".repeat(251));
        assert_eq!(cv(&fits, PDF).filename, fits);
        assert_eq!(
            cv(&format!("{}/{fits}", "d".repeat(300)), PDF).filename,
            fits
        );
        let refused = NewApplication::parse(upload(&format!("{}.pdf", "é".repeat(252)), PDF));
        match refused {
            Err(ApplicationRefused::Invalid(errors)) => {
                assert_eq!(errors.get("cv").unwrap(), [FILENAME_TOO_LONG]);
            }
            other => panic!("expected the name refused, got {other:?}"),
        }
    }

    #[test]
    fn wrong_and_empty_files_are_named_on_cv() {
        let refused = |filename: &str, bytes: &[u8]| NewApplication::parse(upload(filename, bytes));
        assert_eq!(problem_of(refused("cv.pdf", b"just text"), "cv"), NOT_A_CV);
        assert_eq!(
            problem_of(refused("cv.png", b"\x89PNG\r\n\x1a\n"), "cv"),
            NOT_A_CV
        );
        assert_eq!(problem_of(refused("cv.pdf", b""), "cv"), EMPTY_FILE);
        // An empty, unnamed part is a file input left alone.
        assert_eq!(refused("", b"").unwrap().cv, None);
    }

    #[test]
    fn a_cv_over_the_limit_is_refused_as_too_large_before_anything_else() {
        let mut large = PDF.to_vec();
        large.resize(MAX_CV_BYTES + 1, b' ');
        assert_eq!(
            NewApplication::parse(ApplicationInput {
                name: None,
                ..upload("cv.pdf", &large)
            }),
            Err(ApplicationRefused::CvTooLarge)
        );
        // Even when it is not a document at all: its size is what is refused.
        assert_eq!(
            NewApplication::parse(upload("x", &vec![0; MAX_CV_BYTES + 1])),
            Err(ApplicationRefused::CvTooLarge)
        );
        large.truncate(MAX_CV_BYTES);
        let cv = NewApplication::parse(upload("cv.pdf", &large))
            .unwrap()
            .cv
            .unwrap();
        assert_eq!(cv.bytes.len(), MAX_CV_BYTES);
    }

    #[test]
    fn debug_output_never_shows_a_cv() {
        let shown = format!(
            "{:?}",
            NewApplication::parse(upload("cv.pdf", PDF)).unwrap()
        );
        assert!(shown.contains(&format!("<{} bytes>", PDF.len())), "{shown}");
        assert!(!shown.contains("37, 80, 68, 70"), "{shown}");
        let shown = format!("{:?}", upload("cv.pdf", PDF).cv.unwrap());
        assert!(shown.contains("<") && !shown.contains("37, 80"), "{shown}");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let errors = invalid(NewApplication::parse(ApplicationInput {
            name: Some(" ".into()),
            email: Some("nope".into()),
            phone: Some("call me".into()),
            cover_letter: Some("x".repeat(10_001)),
            consent: Some(false),
            cv: Some(UploadedCv {
                filename: "cv.pdf".into(),
                bytes: b"text".to_vec(),
            }),
        }));
        assert_eq!(
            only(&errors),
            ["consent", "cover_letter", "cv", "email", "name", "phone"]
        );
    }

    // --- JSON ---

    #[test]
    fn a_complete_json_application_parses() {
        let application = NewApplication::from_json(&object(json!({
            "name": "Ada Lovelace", "email": "ada@example.com", "phone": "+44 20 7946 0000",
            "cover_letter": "I would love to build this.", "consent": true,
            "cv_base64": STANDARD.encode(docx()), "cv_filename": "ada-cv.docx"
        })))
        .unwrap();
        assert_eq!(application.name, "Ada Lovelace");
        assert_eq!(application.email.as_str(), "ada@example.com");
        assert_eq!(application.phone.as_deref(), Some("+44 20 7946 0000"));
        assert_eq!(
            application.cover_letter.as_deref(),
            Some("I would love to build this.")
        );
        let cv = application.cv.unwrap();
        assert_eq!(
            (cv.kind, cv.filename.as_str(), cv.bytes),
            (CvKind::Docx, "ada-cv.docx", docx())
        );
    }

    #[test]
    fn an_empty_json_object_names_every_required_field() {
        let errors = invalid(NewApplication::from_json(&JsonObject::new()));
        assert_eq!(only(&errors), ["consent", "email", "name"]);
        assert_eq!(errors.get("name").unwrap(), [MISSING]);
        assert_eq!(errors.get("consent").unwrap(), [CONSENT_REQUIRED]);
    }

    #[test]
    fn json_types_are_reported_once_per_field() {
        let errors = invalid(NewApplication::from_json(&object(json!({
            "name": 7, "email": null, "phone": 4930, "cover_letter": ["x"],
            "consent": "yes", "cv_base64": true, "cv_filename": {}
        }))));
        assert_eq!(errors.get("name").unwrap(), [NOT_STRING]);
        assert_eq!(errors.get("email").unwrap(), [NOT_NULL]);
        assert_eq!(errors.get("phone").unwrap(), [NOT_STRING]);
        assert_eq!(errors.get("cover_letter").unwrap(), [NOT_STRING]);
        // A string is not a JSON boolean, and no "must consent" on top of it.
        assert_eq!(errors.get("consent").unwrap(), [NOT_BOOLEAN]);
        assert_eq!(errors.get("cv_base64").unwrap(), [NOT_STRING]);
        assert_eq!(errors.get("cv_filename").unwrap(), [NOT_STRING]);
        assert_eq!(errors.get("cv"), None);
    }

    #[test]
    fn json_consent_must_be_true() {
        let refused = NewApplication::from_json(&with(valid_json(), "consent", json!(false)));
        assert_eq!(problem_of(refused, "consent"), CONSENT_REQUIRED);
        let mut missing = valid_json();
        missing.remove("consent");
        assert_eq!(
            problem_of(NewApplication::from_json(&missing), "consent"),
            CONSENT_REQUIRED
        );
        assert_eq!(
            problem_of(
                NewApplication::from_json(&with(valid_json(), "consent", json!(1))),
                "consent"
            ),
            NOT_BOOLEAN
        );
    }

    #[test]
    fn unknown_and_read_only_json_keys_are_named() {
        let mut body = valid_json();
        for key in [
            "salary",
            "website",
            "cv",
            "id",
            "offer_id",
            "stage",
            "created_at",
            "status_url",
        ] {
            body.insert(key.to_owned(), json!("x"));
        }
        let errors = invalid(NewApplication::from_json(&body));
        for key in ["salary", "website", "cv"] {
            assert_eq!(errors.get(key).unwrap(), [UNKNOWN], "{key}");
        }
        for key in ["id", "offer_id", "stage", "created_at", "status_url"] {
            assert_eq!(errors.get(key).unwrap(), [READ_ONLY_MESSAGE], "{key}");
        }
        assert_eq!(errors.field_names().count(), 8);
    }

    #[test]
    fn json_rules_match_the_form_rules() {
        let refused = |key: &str, value: Value| {
            invalid(NewApplication::from_json(&with(valid_json(), key, value)))
        };
        assert_eq!(
            refused("name", json!(" ")).get("name").unwrap(),
            ["Must not be blank."]
        );
        assert!(refused("email", json!("not-an-address"))
            .get("email")
            .is_some());
        assert_eq!(
            refused("phone", json!("call me")).get("phone").unwrap(),
            [NOT_A_PHONE]
        );
        assert_eq!(
            refused("cover_letter", json!("x".repeat(10_001)))
                .get("cover_letter")
                .unwrap(),
            ["Length must be between 0 and 10000."]
        );
        let accepted = NewApplication::from_json(&with(
            with(valid_json(), "cover_letter", json!("")),
            "phone",
            json!(""),
        ))
        .unwrap();
        assert_eq!((accepted.phone, accepted.cover_letter), (None, None));
    }

    #[test]
    fn json_cvs_come_as_base64_and_a_name_together() {
        let sent = |encoded: &str, filename: &str| {
            NewApplication::from_json(&with(
                with(valid_json(), "cv_base64", json!(encoded)),
                "cv_filename",
                json!(filename),
            ))
        };
        // One byte more than a multiple of three, so that its encoding is padded.
        let document = [PDF, b"\n".as_slice()].concat();
        let padded = STANDARD.encode(&document);
        let unpadded = STANDARD_NO_PAD.encode(&document);
        assert_ne!(padded, unpadded, "the fixture should need padding");
        let wrapped: String = padded
            .as_bytes()
            .chunks(20)
            .map(|line| format!("{}\r\n", std::str::from_utf8(line).unwrap()))
            .collect();
        for encoded in [
            padded.as_str(),
            &unpadded,
            &wrapped,
            &format!("  {padded}\n"),
        ] {
            let cv = sent(encoded, "cv.pdf").unwrap().cv.unwrap();
            assert_eq!(
                (cv.kind, cv.bytes.as_slice()),
                (CvKind::Pdf, document.as_slice()),
                "{encoded:?}"
            );
        }
        for broken in ["not base64 at all!", "JVBERi0=x", "JVBER-0_", "J"] {
            assert_eq!(
                problem_of(sent(broken, "cv.pdf"), "cv_base64"),
                NOT_BASE64,
                "{broken}"
            );
        }
        // Judged from the bytes: a PNG named cv.pdf is refused on `cv`.
        let png = STANDARD.encode(b"\x89PNG\r\n\x1a\n0000IHDR");
        assert_eq!(problem_of(sent(&png, "cv.pdf"), "cv"), NOT_A_CV);
        assert_eq!(problem_of(sent("", "cv.pdf"), "cv"), EMPTY_FILE);
        assert_eq!(sent("", "").unwrap().cv, None);
        assert_eq!(
            sent(&padded, "/tmp/x/").unwrap().cv.unwrap().filename,
            "cv.pdf"
        );
    }

    #[test]
    fn half_a_json_cv_is_missing_its_other_half() {
        let encoded = STANDARD.encode(PDF);
        let without_name = with(valid_json(), "cv_base64", json!(encoded));
        assert_eq!(
            problem_of(NewApplication::from_json(&without_name), "cv_filename"),
            MISSING
        );
        let without_bytes = with(valid_json(), "cv_filename", json!("cv.pdf"));
        assert_eq!(
            problem_of(NewApplication::from_json(&without_bytes), "cv_base64"),
            MISSING
        );
        // The half that was sent has its own problem, the other is still missing.
        let wrong_half = invalid(NewApplication::from_json(&with(
            valid_json(),
            "cv_base64",
            json!(null),
        )));
        assert_eq!(wrong_half.get("cv_base64").unwrap(), [NOT_NULL]);
        assert_eq!(wrong_half.get("cv_filename").unwrap(), [MISSING]);
    }

    #[test]
    fn a_json_cv_over_the_limit_is_too_large() {
        let mut large = PDF.to_vec();
        large.resize(MAX_CV_BYTES + 1, b' ');
        let body = with(
            with(valid_json(), "cv_base64", json!(STANDARD.encode(&large))),
            "cv_filename",
            json!("cv.pdf"),
        );
        assert_eq!(
            NewApplication::from_json(&body),
            Err(ApplicationRefused::CvTooLarge)
        );
    }

    #[test]
    fn json_type_and_rule_problems_end_up_together() {
        let errors = invalid(NewApplication::from_json(&object(json!({
            "name": " ", "email": 3, "consent": false, "cv_base64": STANDARD.encode("text"),
            "cv_filename": "cv.pdf", "bonus": 1
        }))));
        assert_eq!(errors.get("name").unwrap(), ["Must not be blank."]);
        assert_eq!(errors.get("email").unwrap(), [NOT_STRING]);
        assert_eq!(errors.get("consent").unwrap(), [CONSENT_REQUIRED]);
        assert_eq!(errors.get("cv").unwrap(), [NOT_A_CV]);
        assert_eq!(errors.get("bonus").unwrap(), [UNKNOWN]);
        assert_eq!(errors.field_names().count(), 5);
    }

    #[test]
    fn refusals_convert_from_field_errors() {
        let mut errors = FieldErrors::default();
        errors.add("name", MISSING);
        assert_eq!(
            ApplicationRefused::from(errors.clone()),
            ApplicationRefused::Invalid(errors)
        );
    }

    // --- stages ---

    #[test]
    fn stages_round_trip_by_name() {
        for stage in Stage::ALL {
            assert_eq!(Stage::parse(stage.as_str()), Ok(stage));
            assert_eq!(stage.to_string(), stage.as_str());
        }
        let names: Vec<&str> = Stage::ALL.iter().map(|stage| stage.as_str()).collect();
        assert_eq!(
            names,
            [
                "new",
                "reviewing",
                "interview",
                "offer",
                "hired",
                "rejected",
                "withdrawn"
            ]
        );
        for bad in ["", "New", "hire", " new", "accepted"] {
            assert_eq!(
                Stage::parse(bad).unwrap_err(),
                "Must be one of: new, reviewing, interview, offer, hired, rejected, withdrawn.",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn employer_moves_follow_the_table() {
        // Rows: from; columns: to, both in `Stage::ALL` order. U unchanged, M moved, x refused.
        const TABLE: [&str; 7] = [
            "U M M M M M x", // new
            "x U M M M M x", // reviewing
            "x x U M M M x", // interview
            "x x x U M M x", // offer
            "x x x x U M x", // hired
            "x x x x x U x", // rejected
            "x x x x x M x", // withdrawn
        ];
        for (from, row) in Stage::ALL.into_iter().zip(TABLE) {
            let cells: Vec<&str> = row.split(' ').collect();
            assert_eq!(cells.len(), Stage::ALL.len());
            for (to, cell) in Stage::ALL.into_iter().zip(cells) {
                let expected = match cell {
                    "U" => Ok(StageMove::Unchanged),
                    "M" => Ok(StageMove::Moved),
                    _ => Err(StageRefused { from, to }),
                };
                assert_eq!(employer_move(from, to), expected, "{from} -> {to}");
            }
        }
    }

    #[test]
    fn refusals_say_what_was_refused() {
        let refused = employer_move(Stage::Offer, Stage::New).unwrap_err();
        assert_eq!(refused.to_string(), "Cannot move from offer to new");
    }

    #[test]
    fn candidates_may_withdraw_until_they_have() {
        for stage in Stage::ALL {
            assert_eq!(
                candidate_can_withdraw(stage),
                stage != Stage::Withdrawn,
                "{stage}"
            );
        }
    }

    // --- idempotency keys ---

    #[test]
    fn idempotency_keys_are_visible_ascii() {
        for good in [
            "a",
            "3f2c8a1e-4b7d-4c1a-9e2f-6d5b8a7c9e01",
            "!~",
            &"k".repeat(200),
        ] {
            assert_eq!(parse_idempotency_key(good).as_deref(), Ok(good));
        }
        for bad in [
            "",
            " ",
            "a b",
            "key\n",
            "tab\t",
            "ключ",
            "\u{7f}",
            &"k".repeat(201),
        ] {
            assert_eq!(
                parse_idempotency_key(bad).unwrap_err(),
                "The Idempotency-Key must be 1 to 200 visible ASCII characters.",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_pages_offer_exactly_the_moves_the_rules_allow() {
        use Stage::*;
        assert_eq!(
            New.employer_choices(),
            [Reviewing, Interview, Offer, Hired, Rejected]
        );
        assert_eq!(Offer.employer_choices(), [Hired, Rejected]);
        assert_eq!(Hired.employer_choices(), [Rejected]);
        assert!(Rejected.employer_choices().is_empty());
        assert_eq!(Withdrawn.employer_choices(), [Rejected]);
    }
}
