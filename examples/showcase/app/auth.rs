//! Logging in and out, with tackle-session.
//!
//! Demo credentials: any non-empty user name with the password `tackle`.
//! A login rotates the session id ([`Session::rotate_id`]: an id planted in
//! the browser before login is worth nothing after it) and leaves a flash
//! message for the next page; a wrong password answers `401` with the form
//! and an error. Logging out destroys the session, then starts a new one
//! just to carry the "logged out" flash.
//!
//! The forms rely on the session cookie's `SameSite=Lax` (tackle-session's
//! default) against cross-site posts; an application with more at stake
//! would add a CSRF token.

use http::StatusCode;
use tackle::request::response::Response;
use tackle::request::{HttpError, Request, ResponseExt};
use tackle::session::{Level, Session};

use super::{Body, Reply, pages, redirect_to, render_frame, session_of};

/// The password every demo user has.
pub const DEMO_PASSWORD: &str = "tackle";

/// The longest user name accepted, in characters.
const MAX_USERNAME: usize = 64;

/// The session key holding the signed-in user's name.
const USER: &str = "user";

/// The signed-in user, if any.
pub async fn current_user(session: &Session) -> Result<Option<String>, HttpError> {
    Ok(session.get(USER).await?)
}

/// `GET /login`: the form.
pub async fn login_form<B>(request: Request<B>) -> Reply {
    let session = session_of(&request)?;
    let links = super::links(&request)?;
    let page = render_frame(&session, &links, |frame| pages::login(frame, "", None)).await?;
    Ok(Response::html(page))
}

/// `POST /login` (`username`, `password`, urlencoded or multipart).
pub async fn login<B: Body>(mut request: Request<B>) -> Reply {
    let session = session_of(&request)?;
    let links = super::links(&request)?;
    let form = request.form().await?;
    let username = form
        .fields
        .get("username")
        .map_or("", |name| name.trim())
        .to_owned();
    let password = form.fields.get("password").map_or("", String::as_str);

    let error = if username.is_empty() || username.chars().count() > MAX_USERNAME {
        Some(format!(
            "Enter a user name of 1 to {MAX_USERNAME} characters."
        ))
    } else if password != DEMO_PASSWORD {
        Some("Wrong password: the demo password is \u{201c}tackle\u{201d}.".to_owned())
    } else {
        None
    };
    if let Some(error) = error {
        let page = render_frame(&session, &links, |frame| {
            pages::login(frame, &username, Some(&error))
        })
        .await?;
        return Ok(Response::html(page).with_status(StatusCode::UNAUTHORIZED));
    }

    // New privileges, new id; the old id is deleted from the store when the
    // response goes out.
    session.rotate_id().await?;
    session.insert(USER, &username).await?;
    session
        .flash(Level::Success, format!("Welcome, {username}!"))
        .await?;
    redirect_to(&links.files)
}

/// `POST /logout`.
pub async fn logout<B>(request: Request<B>) -> Reply {
    let session = session_of(&request)?;
    let links = super::links(&request)?;
    session.destroy().await?;
    session.flash(Level::Info, "You are logged out.").await?;
    redirect_to(&links.home)
}
