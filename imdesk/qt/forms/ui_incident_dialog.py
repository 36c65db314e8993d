# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'incident_dialog.ui'
##
## Created by: Qt User Interface Compiler version 6.12.0
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractButton, QApplication, QCheckBox, QComboBox,
    QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout,
    QLabel, QLineEdit, QPlainTextEdit, QSizePolicy,
    QSpacerItem, QVBoxLayout, QWidget)

class Ui_IncidentDialog(object):
    def setupUi(self, IncidentDialog):
        if not IncidentDialog.objectName():
            IncidentDialog.setObjectName(u"IncidentDialog")
        IncidentDialog.resize(560, 520)
        self.outer = QVBoxLayout(IncidentDialog)
        self.outer.setSpacing(8)
        self.outer.setObjectName(u"outer")
        self.form = QFormLayout()
        self.form.setObjectName(u"form")
        self.form.setHorizontalSpacing(12)
        self.form.setVerticalSpacing(6)
        self.form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.titleLabel = QLabel(IncidentDialog)
        self.titleLabel.setObjectName(u"titleLabel")

        self.form.setWidget(0, QFormLayout.ItemRole.LabelRole, self.titleLabel)

        self.titleEdit = QLineEdit(IncidentDialog)
        self.titleEdit.setObjectName(u"titleEdit")
        self.titleEdit.setMaxLength(200)

        self.form.setWidget(0, QFormLayout.ItemRole.FieldRole, self.titleEdit)

        self.titleError = QLabel(IncidentDialog)
        self.titleError.setObjectName(u"titleError")
        self.titleError.setTextFormat(Qt.PlainText)

        self.form.setWidget(1, QFormLayout.ItemRole.FieldRole, self.titleError)

        self.impactLabel = QLabel(IncidentDialog)
        self.impactLabel.setObjectName(u"impactLabel")

        self.form.setWidget(2, QFormLayout.ItemRole.LabelRole, self.impactLabel)

        self.impactCombo = QComboBox(IncidentDialog)
        self.impactCombo.setObjectName(u"impactCombo")

        self.form.setWidget(2, QFormLayout.ItemRole.FieldRole, self.impactCombo)

        self.urgencyLabel = QLabel(IncidentDialog)
        self.urgencyLabel.setObjectName(u"urgencyLabel")

        self.form.setWidget(3, QFormLayout.ItemRole.LabelRole, self.urgencyLabel)

        self.urgencyCombo = QComboBox(IncidentDialog)
        self.urgencyCombo.setObjectName(u"urgencyCombo")

        self.form.setWidget(3, QFormLayout.ItemRole.FieldRole, self.urgencyCombo)

        self.priorityLabel = QLabel(IncidentDialog)
        self.priorityLabel.setObjectName(u"priorityLabel")

        self.form.setWidget(4, QFormLayout.ItemRole.LabelRole, self.priorityLabel)

        self.priorityRow = QHBoxLayout()
        self.priorityRow.setObjectName(u"priorityRow")
        self.priorityBadge = QLabel(IncidentDialog)
        self.priorityBadge.setObjectName(u"priorityBadge")
        self.priorityBadge.setTextFormat(Qt.PlainText)

        self.priorityRow.addWidget(self.priorityBadge)

        self.priorityHint = QLabel(IncidentDialog)
        self.priorityHint.setObjectName(u"priorityHint")
        self.priorityHint.setTextFormat(Qt.PlainText)
        self.priorityHint.setWordWrap(True)

        self.priorityRow.addWidget(self.priorityHint)

        self.prioritySpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.priorityRow.addItem(self.prioritySpacer)


        self.form.setLayout(4, QFormLayout.ItemRole.FieldRole, self.priorityRow)

        self.serviceLabel = QLabel(IncidentDialog)
        self.serviceLabel.setObjectName(u"serviceLabel")

        self.form.setWidget(5, QFormLayout.ItemRole.LabelRole, self.serviceLabel)

        self.serviceCombo = QComboBox(IncidentDialog)
        self.serviceCombo.setObjectName(u"serviceCombo")

        self.form.setWidget(5, QFormLayout.ItemRole.FieldRole, self.serviceCombo)

        self.serviceError = QLabel(IncidentDialog)
        self.serviceError.setObjectName(u"serviceError")
        self.serviceError.setTextFormat(Qt.PlainText)

        self.form.setWidget(6, QFormLayout.ItemRole.FieldRole, self.serviceError)

        self.originLabel = QLabel(IncidentDialog)
        self.originLabel.setObjectName(u"originLabel")

        self.form.setWidget(7, QFormLayout.ItemRole.LabelRole, self.originLabel)

        self.originCombo = QComboBox(IncidentDialog)
        self.originCombo.setObjectName(u"originCombo")

        self.form.setWidget(7, QFormLayout.ItemRole.FieldRole, self.originCombo)

        self.descriptionLabel = QLabel(IncidentDialog)
        self.descriptionLabel.setObjectName(u"descriptionLabel")

        self.form.setWidget(8, QFormLayout.ItemRole.LabelRole, self.descriptionLabel)

        self.descriptionEdit = QPlainTextEdit(IncidentDialog)
        self.descriptionEdit.setObjectName(u"descriptionEdit")
        self.descriptionEdit.setTabChangesFocus(True)

        self.form.setWidget(8, QFormLayout.ItemRole.FieldRole, self.descriptionEdit)

        self.descriptionError = QLabel(IncidentDialog)
        self.descriptionError.setObjectName(u"descriptionError")
        self.descriptionError.setTextFormat(Qt.PlainText)

        self.form.setWidget(9, QFormLayout.ItemRole.FieldRole, self.descriptionError)

        self.flagsRow = QHBoxLayout()
        self.flagsRow.setObjectName(u"flagsRow")
        self.majorCheck = QCheckBox(IncidentDialog)
        self.majorCheck.setObjectName(u"majorCheck")

        self.flagsRow.addWidget(self.majorCheck)

        self.exerciseCheck = QCheckBox(IncidentDialog)
        self.exerciseCheck.setObjectName(u"exerciseCheck")

        self.flagsRow.addWidget(self.exerciseCheck)


        self.form.setLayout(10, QFormLayout.ItemRole.FieldRole, self.flagsRow)


        self.outer.addLayout(self.form)

        self.formError = QLabel(IncidentDialog)
        self.formError.setObjectName(u"formError")
        self.formError.setTextFormat(Qt.PlainText)
        self.formError.setWordWrap(True)

        self.outer.addWidget(self.formError)

        self.buttons = QDialogButtonBox(IncidentDialog)
        self.buttons.setObjectName(u"buttons")
        self.buttons.setStandardButtons(QDialogButtonBox.Cancel|QDialogButtonBox.Save)

        self.outer.addWidget(self.buttons)

#if QT_CONFIG(shortcut)
        self.titleLabel.setBuddy(self.titleEdit)
        self.impactLabel.setBuddy(self.impactCombo)
        self.urgencyLabel.setBuddy(self.urgencyCombo)
        self.serviceLabel.setBuddy(self.serviceCombo)
        self.originLabel.setBuddy(self.originCombo)
        self.descriptionLabel.setBuddy(self.descriptionEdit)
#endif // QT_CONFIG(shortcut)
        QWidget.setTabOrder(self.titleEdit, self.impactCombo)
        QWidget.setTabOrder(self.impactCombo, self.urgencyCombo)
        QWidget.setTabOrder(self.urgencyCombo, self.serviceCombo)
        QWidget.setTabOrder(self.serviceCombo, self.originCombo)
        QWidget.setTabOrder(self.originCombo, self.descriptionEdit)
        QWidget.setTabOrder(self.descriptionEdit, self.majorCheck)
        QWidget.setTabOrder(self.majorCheck, self.exerciseCheck)
        QWidget.setTabOrder(self.exerciseCheck, self.buttons)

        self.retranslateUi(IncidentDialog)

        QMetaObject.connectSlotsByName(IncidentDialog)
    # setupUi

    def retranslateUi(self, IncidentDialog):
        IncidentDialog.setWindowTitle(QCoreApplication.translate("IncidentDialog", u"New incident", None))
        self.titleLabel.setText(QCoreApplication.translate("IncidentDialog", u"&Title", None))
        self.titleEdit.setPlaceholderText(QCoreApplication.translate("IncidentDialog", u"What is broken, for whom \u2014 e.g. \"VPN drops sessions for the Berlin office\"", None))
        self.titleError.setText("")
        self.impactLabel.setText(QCoreApplication.translate("IncidentDialog", u"&Impact", None))
        self.urgencyLabel.setText(QCoreApplication.translate("IncidentDialog", u"&Urgency", None))
        self.priorityLabel.setText(QCoreApplication.translate("IncidentDialog", u"Priority", None))
        self.priorityBadge.setText(QCoreApplication.translate("IncidentDialog", u"P3", None))
        self.priorityHint.setText("")
        self.serviceLabel.setText(QCoreApplication.translate("IncidentDialog", u"&Service", None))
        self.serviceError.setText("")
        self.originLabel.setText(QCoreApplication.translate("IncidentDialog", u"&Origin", None))
        self.descriptionLabel.setText(QCoreApplication.translate("IncidentDialog", u"&Description", None))
        self.descriptionEdit.setPlaceholderText(QCoreApplication.translate("IncidentDialog", u"Symptoms, who reported it, what has been tried", None))
        self.descriptionError.setText("")
        self.majorCheck.setText(QCoreApplication.translate("IncidentDialog", u"&Major incident (opens a war room)", None))
        self.exerciseCheck.setText(QCoreApplication.translate("IncidentDialog", u"E&xercise (drill, kept out of metrics)", None))
        self.formError.setText("")
    # retranslateUi

