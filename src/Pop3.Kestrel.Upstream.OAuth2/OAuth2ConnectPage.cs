using System.Text;
using System.Text.Encodings.Web;

namespace Pop3.Kestrel.Upstream.OAuth2;

/// <summary>
/// The connect page's HTML: server-rendered, no script, one heading per page, every field labelled, messages in a
/// <c>role="alert"</c> or <c>role="status"</c> region so screen readers announce them.
/// </summary>
internal static class OAuth2ConnectPage
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    public static string SignIn(string provider, string formFieldName, string requestToken, string? user, string? error)
    {
        var body = new StringBuilder();
        body.Append("<h1>Connect your mailbox</h1>\n");
        body.Append("<p>Sign in with the user name and password you use for mail here. You will then be sent to <strong>")
            .Append(Html.Encode(provider))
            .Append("</strong> to allow this gateway to read your mailbox, and brought back here.</p>\n");
        if (error is not null)
        {
            body.Append("<p role=\"alert\" id=\"error\">").Append(Html.Encode(error)).Append("</p>\n");
        }

        body.Append("<form method=\"post\" action=\"").Append(OAuth2ConnectEndpoints.ConnectPath).Append("\">\n")
            .Append("<input type=\"hidden\" name=\"").Append(Html.Encode(formFieldName)).Append("\" value=\"").Append(Html.Encode(requestToken)).Append("\">\n")
            .Append("<p><label for=\"user\">User name</label><br>\n<input id=\"user\" name=\"user\" autocomplete=\"username\" required")
            .Append(user is null ? "" : " value=\"" + Html.Encode(user) + "\"")
            .Append(error is null ? "" : " aria-describedby=\"error\"")
            .Append("></p>\n")
            .Append("<p><label for=\"password\">Password</label><br>\n<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required></p>\n")
            .Append("<p><button type=\"submit\" id=\"connect\">Connect</button></p>\n</form>\n");
        return Page("Connect your mailbox", body.ToString());
    }

    public static string Connected(string user) => Page("Mailbox connected",
        "<h1>Mailbox connected</h1>\n<p role=\"status\" id=\"result\">The mailbox of <strong>" + Html.Encode(user)
        + "</strong> is connected. Your mail program can fetch mail with your usual password; you can close this page.</p>\n");

    public static string Failed(string message) => Page("Mailbox not connected",
        "<h1>Mailbox not connected</h1>\n<p role=\"alert\" id=\"result\">" + Html.Encode(message) + "</p>\n<p><a href=\""
        + OAuth2ConnectEndpoints.ConnectPath + "\">Try again</a></p>\n");

    private static string Page(string title, string body) =>
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        + "<title>" + Html.Encode(title) + "</title>\n</head>\n<body>\n<main>\n" + body + "</main>\n</body>\n</html>\n";
}
