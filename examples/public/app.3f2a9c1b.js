// A fingerprinted asset: its name changes whenever its content does.
document.querySelector("h1").title = "served with Cache-Control: public, max-age=31536000, immutable";
