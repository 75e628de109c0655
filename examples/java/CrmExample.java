// A Java host of libcrm through JNA (Debian's libjna-java), no other library: it checks the ABI
// version, creates a client over a SQLite database whose configuration names the first
// administrator (organisation.bootstrap_admins), opens a session as that user, creates a customer
// and reads it back, shows that a user who is no CRM user is refused with the library's reason
// (crm_session_open_ex, libcrm 1.2.0), and frees every string the library returns with
// crm_string_free. Against an installed libcrm (found by the dynamic linker, or with
// -Djna.library.path=DIR):
//
//   javac -cp /usr/share/java/jna.jar CrmExample.java
//   java -cp /usr/share/java/jna.jar:. CrmExample /tmp/crm.db
//
// Text crosses the C ABI as UTF-8 bytes with a terminating NUL, whatever the JVM's default
// charset (JDK 17 takes it from the locale, which may be ASCII on a server).

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public final class CrmExample {
  // The C functions this host calls (include/crm/crm.h). size_t is a Java long on LP64 Linux.
  public interface Crm extends Library {
    int CRM_OK = 0;
    int CRM_E_NOT_FOUND = -2;
    int CRM_E_PERMISSION_DENIED = -3;
    int CRM_ABI_VERSION = 1;

    int crm_abi_version();

    String crm_status_string(int status);

    int crm_client_create(byte[] configJson, PointerByReference out, PointerByReference error);

    void crm_client_destroy(Pointer client);

    // Since 1.2.0: as crm_session_open, and on failure the error envelope saying why.
    int crm_session_open_ex(Pointer client, byte[] userKey, PointerByReference out,
        PointerByReference errorJson);

    void crm_session_close(Pointer session);

    int crm_call(Pointer session, byte[] request, long requestLength, PointerByReference response,
        LongByReference responseLength);

    void crm_string_free(Pointer string);
  }

  static final Crm CRM = Native.load("crm", Crm.class);

  // A failed call: the status crm_call returned and the envelope's error text.
  static final class CrmError extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    CrmError(int status, String message) {
      super(CRM.crm_status_string(status) + " (" + status + "): " + message);
      this.status = status;
    }
  }

  static byte[] cString(String text) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[utf8.length + 1];  // the last byte stays 0
    System.arraycopy(utf8, 0, out, 0, utf8.length);
    return out;
  }

  // A JSON string literal of text (the example builds its few requests by hand).
  static String quote(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') out.append('\\').append(c);
      else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
      else out.append(c);
    }
    return out.append('"').toString();
  }

  // Runs one request and returns the whole response envelope; a failure is a CrmError.
  static String call(Pointer session, String request) throws CrmError {
    byte[] bytes = request.getBytes(StandardCharsets.UTF_8);
    PointerByReference response = new PointerByReference();
    LongByReference length = new LongByReference();
    int status = CRM.crm_call(session, bytes, bytes.length, response, length);
    Pointer text = response.getValue();
    if (text == null) throw new CrmError(status, "no response (out of memory)");
    String body =
        new String(text.getByteArray(0, (int) length.getValue()), StandardCharsets.UTF_8);
    CRM.crm_string_free(text);
    if (status != Crm.CRM_OK) throw new CrmError(status, body);
    if (!body.startsWith("{\"ok\":true")) throw new IllegalStateException("not ok: " + body);
    return body;
  }

  // A session acting as user (an active CRM user or a bootstrap administrator); a refusal is a
  // CrmError with the library's error envelope ("unknown user ...").
  static Pointer openSession(Pointer client, String user) throws CrmError {
    PointerByReference session = new PointerByReference();
    PointerByReference errorJson = new PointerByReference();
    int status = CRM.crm_session_open_ex(client, cString(user), session, errorJson);
    if (status != Crm.CRM_OK) {
      Pointer text = errorJson.getValue();
      String envelope = text == null ? "crm_session_open_ex" : text.getString(0, "UTF-8");
      CRM.crm_string_free(text);  // NULL is fine
      throw new CrmError(status, envelope);
    }
    return session.getValue();
  }

  static String member(String body, String name) {
    Matcher match = Pattern.compile("\"" + name + "\":(\"[^\"]*\"|[0-9-]+)").matcher(body);
    if (!match.find()) throw new IllegalStateException("no " + name + " in " + body);
    return match.group(1);
  }

  static final PrintStream OUT =
      new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);

  static void check(boolean condition, String what) {
    if (!condition) throw new IllegalStateException(what);
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: java CrmExample DATABASE_FILE");
      System.exit(2);
    }
    check(CRM.crm_abi_version() == Crm.CRM_ABI_VERSION, "libcrm has another ABI");
    String config = "{\"database\": {\"dialect\": \"sqlite\", \"path\": " + quote(args[0])
        + "}, \"organisation\": {\"bootstrap_admins\": [\"java-user\"]}}";
    PointerByReference client = new PointerByReference();
    PointerByReference error = new PointerByReference();
    int status = CRM.crm_client_create(cString(config), client, error);
    if (status != Crm.CRM_OK) {
      String message = error.getValue() == null ? "" : error.getValue().getString(0, "UTF-8");
      CRM.crm_string_free(error.getValue());  // NULL is fine
      throw new CrmError(status, message);
    }
    try {
      Pointer session = openSession(client.getValue(), "java-user");
      try {
        final String name = "华联超市（北京）有限公司";
        String created = call(session,
            "{\"method\": \"customer.create\", \"params\": {\"name\": " + quote(name)
                + ", \"region\": \"华北\"}}");
        String id = member(created, "id");  // 64-bit ids travel as JSON strings
        String fetched = call(session,
            "{\"method\": \"customer.get\", \"params\": {\"id\": " + id + "}}");
        check(member(fetched, "name").equals(quote(name)), "name came back as "
            + member(fetched, "name"));
        check(member(fetched, "owner").equals("\"java-user\""), "owner " + fetched);
        check(member(fetched, "version").equals("1"), "version " + fetched);
        OUT.println("customer " + id + ": " + member(fetched, "name"));
        // A failure comes back as the status and the envelope's error, with the same code.
        try {
          call(session, "{\"method\": \"customer.get\", \"params\": {\"id\": \"999999\"}}");
          check(false, "customer.get of a missing id succeeded");
        } catch (CrmError missing) {
          check(missing.status == Crm.CRM_E_NOT_FOUND, "status " + missing.status);
          check(missing.getMessage().contains("\"name\":\"not_found\""), missing.getMessage());
          OUT.println("missing customer: " + missing.getMessage());
        }
        // Sessions are for CRM users only: anybody else is refused, and the library says why.
        try {
          CRM.crm_session_close(openSession(client.getValue(), "java-stranger"));
          check(false, "a session of an unknown user opened");
        } catch (CrmError refused) {
          check(refused.status == Crm.CRM_E_PERMISSION_DENIED, "status " + refused.status);
          check(refused.getMessage().contains("unknown user \\\"java-stranger\\\""),
              refused.getMessage());
          OUT.println("unknown user: " + refused.getMessage());
        }
      } finally {
        CRM.crm_session_close(session);
      }
    } finally {
      CRM.crm_client_destroy(client.getValue());
    }
  }
}
