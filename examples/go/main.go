// A Go host of libcrm through cgo, standard library only: it checks the ABI version, creates a
// client over a SQLite database whose configuration names the first administrator
// (organisation.bootstrap_admins), opens a session as that user, creates a customer and reads it
// back, shows that a user who is no CRM user is refused (with the library's reason, from
// crm_session_open_ex, libcrm 1.2.0), and frees every string the library returns with
// crm_string_free. Against an installed libcrm:
//
//	CGO_CFLAGS="$(pkg-config --cflags crm)" CGO_LDFLAGS="$(pkg-config --libs crm)" go build
//	./crm-go-example /tmp/crm.db
package main

/*
#cgo LDFLAGS: -lcrm
#include <stdlib.h>
#include <crm/crm.h>
*/
import "C"

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"unsafe"
)

// Client and Session own the library's handles; Close releases them.
type Client struct{ handle *C.crm_client }
type Session struct{ handle *C.crm_session }

// Error is a failed call: the status crm_call returned and the envelope's error object.
type Error struct {
	Status  int32
	Name    string `json:"name"`
	Message string `json:"message"`
	Field   string `json:"field"`
}

func (e *Error) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s (%d): %s", e.Name, e.Status, e.Message)
	}
	return fmt.Sprintf("%s (%d): %s [%s]", e.Name, e.Status, e.Message, e.Field)
}

func NewClient(config string) (*Client, error) {
	text := C.CString(config)
	defer C.free(unsafe.Pointer(text))
	var handle *C.crm_client
	var message *C.char
	status := C.crm_client_create(text, &handle, &message)
	if status != C.CRM_OK {
		defer C.crm_string_free(message) // NULL is fine
		return nil, &Error{Status: int32(status), Name: C.GoString(C.crm_status_string(status)),
			Message: C.GoString(message)}
	}
	return &Client{handle}, nil
}

func (c *Client) Close() { C.crm_client_destroy(c.handle) }

// Session opens a session acting as user, who must be an active CRM user or a bootstrap
// administrator; a refusal is an *Error with the library's reason ("unknown user ...").
func (c *Client) Session(user string) (*Session, error) {
	text := C.CString(user)
	defer C.free(unsafe.Pointer(text))
	var handle *C.crm_session
	var reason *C.char
	status := C.crm_session_open_ex(c.handle, text, &handle, &reason)
	if status != C.CRM_OK {
		failure := &Error{Status: int32(status), Name: C.GoString(C.crm_status_string(status))}
		if reason != nil {
			var envelope struct {
				Error *Error `json:"error"`
			}
			body := C.GoString(reason)
			C.crm_string_free(reason)
			if err := json.Unmarshal([]byte(body), &envelope); err == nil && envelope.Error != nil {
				failure = envelope.Error
				failure.Status = int32(status)
			}
		}
		return nil, failure
	}
	return &Session{handle}, nil
}

func (s *Session) Close() { C.crm_session_close(s.handle) }

// Call runs one method and returns its result; a failure is an *Error.
func (s *Session) Call(method string, params map[string]any) (map[string]any, error) {
	request, err := json.Marshal(map[string]any{"method": method, "params": params})
	if err != nil {
		return nil, err
	}
	text := C.CString(string(request))
	defer C.free(unsafe.Pointer(text))
	var response *C.char
	var length C.size_t
	status := int32(C.crm_call(s.handle, text, C.size_t(len(request)), &response, &length))
	if response == nil { // only when even the envelope could not be allocated
		return nil, &Error{Status: status, Name: C.GoString(C.crm_status_string(C.int32_t(status)))}
	}
	body := C.GoStringN(response, C.int(length))
	C.crm_string_free(response)
	var envelope struct {
		Ok     bool           `json:"ok"`
		Result map[string]any `json:"result"`
		Error  *Error         `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &envelope); err != nil {
		return nil, fmt.Errorf("response is not JSON: %v: %s", err, body)
	}
	if status != C.CRM_OK || !envelope.Ok {
		if envelope.Error == nil {
			return nil, fmt.Errorf("status %d without an error: %s", status, body)
		}
		envelope.Error.Status = status
		return nil, envelope.Error
	}
	return envelope.Result, nil
}

func run(path string) error {
	if C.crm_abi_version() != C.CRM_ABI_VERSION {
		return fmt.Errorf("libcrm has ABI %d, this program was built for %d", C.crm_abi_version(), C.CRM_ABI_VERSION)
	}
	config, _ := json.Marshal(map[string]any{
		"database":     map[string]any{"dialect": "sqlite", "path": path},
		"organisation": map[string]any{"bootstrap_admins": []string{"go-user"}},
	})
	client, err := NewClient(string(config))
	if err != nil {
		return err
	}
	defer client.Close()
	session, err := client.Session("go-user")
	if err != nil {
		return err
	}
	defer session.Close()

	const name = "华联超市（北京）有限公司"
	created, err := session.Call("customer.create", map[string]any{"name": name, "region": "华北"})
	if err != nil {
		return err
	}
	id, _ := created["id"].(string) // 64-bit ids travel as JSON strings
	fetched, err := session.Call("customer.get", map[string]any{"id": id})
	if err != nil {
		return err
	}
	if fetched["name"] != name || fetched["owner"] != "go-user" || fetched["version"] != 1.0 {
		return fmt.Errorf("customer.get returned %v", fetched)
	}
	fmt.Printf("customer %s: %s, owner %s\n", id, fetched["name"], fetched["owner"])

	// A failure comes back as the status and the envelope's error, both the same code.
	_, err = session.Call("customer.get", map[string]any{"id": "999999"})
	failure, ok := err.(*Error)
	if !ok || failure.Status != C.CRM_E_NOT_FOUND || failure.Name != "not_found" {
		return fmt.Errorf("customer.get of a missing id: %v", err)
	}
	fmt.Println("missing customer:", failure)

	// Sessions are for CRM users only: anybody else is refused, and the library says why.
	_, err = client.Session("go-stranger")
	refused, ok := err.(*Error)
	if !ok || refused.Status != C.CRM_E_PERMISSION_DENIED || refused.Name != "permission_denied" ||
		!strings.HasPrefix(refused.Message, `unknown user "go-stranger"`) {
		return fmt.Errorf("a session of an unknown user: %v", err)
	}
	fmt.Println("unknown user:", refused)
	return nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: crm-go-example DATABASE_FILE")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
