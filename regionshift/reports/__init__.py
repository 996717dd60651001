"""Run reports: every failover, failback, drill and check leaves a JSON file and one HTML page.

`write_report` writes both (redacted) and uploads them to Blob Storage when given a `BlobTarget`;
`publish` does the same for a run and returns what did not work instead of raising;
`render_text_summary` is what the CLI prints at the end of a run; `render_html` is the page itself.
"""

from regionshift.reports.html import render_html
from regionshift.reports.publish import Publication, publish
from regionshift.reports.summary import render_text_summary
from regionshift.reports.upload import BlobTarget, ReportUploadError, upload_files
from regionshift.reports.writer import ReportFiles, report_stem, write_report

__all__ = [
    "BlobTarget",
    "Publication",
    "ReportFiles",
    "ReportUploadError",
    "publish",
    "render_html",
    "render_text_summary",
    "report_stem",
    "upload_files",
    "write_report",
]
