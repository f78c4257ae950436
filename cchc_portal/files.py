"""A stored file sent to a browser that must never render it: an attachment, of
the type its content showed, with nosniff and a sandboxing Content-Security-Policy."""

from django.http import FileResponse


def file_attachment(file, *, filename: str, content_type: str) -> FileResponse:
    """``file`` (a ``FieldFile``) as a download named ``filename``."""
    response = FileResponse(file.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
